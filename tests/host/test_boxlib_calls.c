/*
 * test_boxlib_calls.c: the generated typed wrappers (boxlib/calls.h).
 *
 * box_op is replaced by a recorder that keeps a copy of the struct
 * box_op_call (and of the parameter blob) and answers with a set status,
 * output length and value.  For ops of each shape (parameters and both
 * buffers, output only, input only, nothing) the wrapper must pass the right
 * op id, the parameters at the spec's offsets, the buffers and the in/out
 * length, and hand back what box_op returned.  Then: calls.h has exactly one
 * wrapper per op of ops/ops.spec, and opgen --calls refuses a spec whose
 * field name is one the wrappers use for themselves, writing nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "boxlib/calls.h"

uint64_t box_call_timeout_us = BOX_CALL_TIMEOUT_US_DEFAULT;

static struct box_op_call seen;
static uint8_t seen_params[BOX_PARAM_MAX];
static int calls;
static int32_t answer_status;
static uint64_t answer_len, answer_value;

int32_t box_op(struct box_op_call *c)
{
	calls++;
	seen = *c;
	memset(seen_params, 0, sizeof(seen_params));
	if (c->params)
		memcpy(seen_params, c->params, c->param_size);
	c->out_len = answer_len;
	c->value = answer_value;
	return answer_status;
}

static uint64_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void test_shapes(void)
{
	uint8_t buf[64], in[5] = "abcd";
	uint64_t len = 4, value = 0;

	/* parameters + output: operations.fill (u64 offset @0, u64 length @8, u8 value @16) */
	answer_status = BOX_OK, answer_len = 14, answer_value = 99;
	int32_t st = box_operations_fill(4, 10, 'z', buf, sizeof(buf), &len, &value);
	CHECK_EQ(st, BOX_OK);
	CHECK_EQ(seen.op_id, BOX_OP_OPERATIONS_FILL);
	CHECK_EQ(seen.param_size, 24);
	CHECK_EQ(le(seen_params, 8), 4);
	CHECK_EQ(le(seen_params + 8, 8), 10);
	CHECK_EQ(seen_params[16], 'z');
	CHECK_EQ(le(seen_params + 17, 7), 0);  /* padding is zero */
	CHECK(seen.in == NULL && seen.out == buf);
	CHECK_EQ(seen.out_cap, sizeof(buf));
	CHECK_EQ(seen.out_len, 4);             /* *out_len went in */
	CHECK_EQ(len, 14);                     /* and the new size came back */
	CHECK_EQ(value, 99);
	CHECK_EQ(seen.timeout_us, 0);          /* box_op applies box_call_timeout_us */

	/* parameters + input + output: operations.hash */
	answer_status = BOX_ERR_BOUNDS, answer_len = 0, answer_value = 0;
	len = 0;
	st = box_operations_hash(0x1234, in, 4, buf, 8, &len, NULL);
	CHECK_EQ(st, BOX_ERR_BOUNDS);
	CHECK_EQ(seen.op_id, BOX_OP_OPERATIONS_HASH);
	CHECK_EQ(le(seen_params, 8), 0x1234);
	CHECK(seen.in == in && seen.in_len == 4 && seen.out == buf && seen.out_cap == 8);

	/* output only, NULL out_len and value are allowed */
	answer_status = BOX_OK, answer_len = 16, answer_value = 5;
	st = box_hardware_timer_ticks(buf, sizeof(buf), NULL, NULL);
	CHECK_EQ(st, BOX_OK);
	CHECK_EQ(seen.op_id, BOX_OP_HARDWARE_TIMER_TICKS);
	CHECK(seen.params == NULL && seen.param_size == 0 && seen.in == NULL);
	CHECK_EQ(seen.out_len, 0);

	/* input only */
	st = box_hardware_console_write(in, 3, &value);
	CHECK_EQ(seen.op_id, BOX_OP_HARDWARE_CONSOLE_WRITE);
	CHECK(seen.in == in && seen.in_len == 3 && seen.out == NULL);
	CHECK_EQ(value, 5);

	/* a field called value (hardware.port.out: u32 value @0, u16 port @4, u8 width @6) */
	st = box_hardware_port_out(0xAABBCCDD, 0x3F8, 1, NULL);
	CHECK_EQ(seen.op_id, BOX_OP_HARDWARE_PORT_OUT);
	CHECK_EQ(le(seen_params, 4), 0xAABBCCDD);
	CHECK_EQ(le(seen_params + 4, 2), 0x3F8);
	CHECK_EQ(seen_params[6], 1);
	CHECK(seen.in == NULL && seen.out == NULL);

	/* signed parameter and no buffers: system.proc.exit (i64 code) */
	st = box_system_proc_exit(-3, NULL);
	CHECK_EQ(seen.op_id, BOX_OP_SYSTEM_PROC_EXIT);
	CHECK_EQ(le(seen_params, 8), (uint64_t)-3);
	CHECK(seen.in == NULL && seen.out == NULL);
	CHECK_EQ(calls, 6);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	static char text[1 << 20];
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = 0;
	fclose(f);
	return text;
}

static void test_one_per_op(void)
{
	char *text = slurp(GEN_CALLS_H);
	CHECK(text != NULL);
	if (!text)
		return;
	unsigned wrappers = 0;
	for (char *p = strstr(text, "static inline int32_t box_"); p;
	     p = strstr(p + 1, "static inline int32_t box_"))
		wrappers++;
	CHECK_EQ(wrappers, BOX_OP_COUNT);
	/* and the spec's op count is not a constant that went stale: count its lines */
	FILE *f = fopen(OPS_SPEC, "r");
	char line[1024];
	unsigned ops = 0;
	while (f && fgets(line, sizeof(line), f))
		ops += line[0] >= 'a' && line[0] <= 'z';
	if (f)
		fclose(f);
	CHECK_EQ(ops, BOX_OP_COUNT);
}

static int run(const char *cmd)
{
	int rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void test_reserved_names(void)
{
	char dir[] = "/tmp/boxlib_calls.XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char spec[256], out[256], cmd[1024];
	snprintf(spec, sizeof(spec), "%s/bad.spec", dir);
	snprintf(out, sizeof(out), "%s/calls.h", dir);
	FILE *f = fopen(spec, "w");
	fprintf(f, "operations.good APP u64:length Copy the input to the output.\n"
		   "operations.bad APP u64:out_len,u64:c_ Fill the output.\n");
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s %s --calls %s 2>%s/err", OPGEN_BIN, spec, out, dir);
	CHECK_EQ(run(cmd), 1);
	struct stat st;
	CHECK(stat(out, &st) != 0);  /* nothing written */
	snprintf(cmd, sizeof(cmd), "%s/err", dir);
	char *err = slurp(cmd);
	CHECK(err && strstr(err, "bad.spec:2: field name out_len is taken"));
	CHECK(err && strstr(err, "bad.spec:2: field name c_ is taken"));
	/* the same spec without --calls is fine: the rule is only the wrappers' */
	snprintf(cmd, sizeof(cmd), "%s %s --boxlib %s/ops.h 2>/dev/null", OPGEN_BIN, spec, dir);
	CHECK_EQ(run(cmd), 0);
	/* a good spec: wrappers with and without buffers, as the words say */
	f = fopen(spec, "w");
	fprintf(f, "operations.good APP u64:length Copy the input to the output.\n"
		   "operations.quiet APP - Do nothing at all.\n"
		   "operations.inputs APP - Words that only contain them: inputstream, output_x, reinput.\n");
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s %s --calls %s", OPGEN_BIN, spec, out);
	CHECK_EQ(run(cmd), 0);
	char *text = slurp(out);
	CHECK(text && strstr(text, "box_operations_good(uint64_t length, const void *in_buf, "
				   "uint64_t in_len, void *out_buf, uint64_t out_cap, "
				   "uint64_t *out_len, uint64_t *out_value)"));
	CHECK(text && strstr(text, "box_operations_quiet(uint64_t *out_value)"));
	CHECK(text && strstr(text, "box_operations_inputs(uint64_t *out_value)"));
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	run(cmd);
}

int main(void)
{
	test_shapes();
	test_one_per_op();
	test_reserved_names();
	return check_report();
}
