/*
 * fbcon.c: a text console drawn on the GOP framebuffer with a PSF font.
 *
 * The font is Debian's Terminus (kbd package), linked in by font.S; both PSF1
 * and PSF2 headers are understood.  Log levels get colours (errors red,
 * warnings yellow, debug grey).  When the cursor runs off the bottom the
 * text moves up by half a screen at once: moving pixels is the expensive
 * part, and doing it once per half screen instead of once per line keeps a
 * chatty boot fast.
 *
 * What a line editor sends is understood (the shell writes it through
 * hardware.console.write): \b moves left, \r to the start of the row, \t
 * to the next multiple of 8, \n to the next row, and of the ANSI/VT100
 * sequences: ESC[nD and ESC[nC move n cells left / right (default 1, they
 * stop at the row's edges), ESC[K erases from the cursor to the end of the
 * row, ESC[2J clears the screen (without moving the cursor), ESC[H and
 * ESC[row;colH move to a cell (1-based, default the top left).  Any other
 * escape sequence (ESC[...m colours, say) is read to its end and ignored,
 * and no control byte is ever drawn as a glyph.  The cursor is shown as the
 * inverted cell: inverting is its own undo, so no text buffer is needed.
 *
 * The Hardware Deck draws too (fbcon_draw_text, fbcon_clear): text at a
 * grid cell in any colour, checked against the grid before a pixel moves.
 * A lock keeps its drawing and the log's apart (the log already holds its
 * own lock when it calls in; during a panic the log skips ours too, so a
 * CPU stopped while drawing cannot silence the panic report).
 */
#include "drivers/fbcon.h"
#include "core/panic.h"
#include "lib/log.h"
#include "lib/spinlock.h"
#include "lib/string.h"

extern const uint8_t console_font[], console_font_end[];

#define PSF1_MAGIC 0x0436
#define PSF2_MAGIC 0x864AB572

static struct {
	uint8_t *pixels;
	uint32_t width, height, pitch, format;
	const uint8_t *glyphs;
	uint32_t glyph_count, glyph_bytes, glyph_w, glyph_h;
	unsigned cols, rows, col, row;
	bool ready;
	bool cursor_shown;        /* the cell at col, row is drawn inverted */
	uint8_t esc;              /* ESC_* below: where in an escape sequence the output is */
	uint8_t esc_count;        /* numeric parameters seen (the one being read included) */
	uint16_t esc_param[2];    /* ESC[a;bX: a and b (0 when absent) */
} con;

enum { ESC_NONE, ESC_SEEN, ESC_CSI };

static struct spinlock fb_lock = SPINLOCK_INIT;

static uint32_t rgb(uint8_t r, uint8_t g, uint8_t b)
{
	return con.format == BOOT_FB_RGBX ? (uint32_t)r | g << 8 | (uint32_t)b << 16
					  : (uint32_t)b | g << 8 | (uint32_t)r << 16;
}

static uint32_t level_colour(enum log_level level)
{
	switch (level) {
	case LOG_ERROR: return rgb(0xFF, 0x55, 0x55);
	case LOG_WARN:  return rgb(0xFF, 0xD7, 0x00);
	case LOG_DEBUG: return rgb(0x90, 0x90, 0x90);
	default:        return rgb(0xE0, 0xE0, 0xE0);
	}
}

static bool load_font(void)
{
	const uint8_t *f = console_font;
	size_t size = (size_t)(console_font_end - console_font);
	uint32_t magic32;
	if (size >= 32) {
		memcpy(&magic32, f, 4);
		if (magic32 == PSF2_MAGIC) {
			uint32_t hdr[8];
			memcpy(hdr, f, sizeof(hdr));
			con.glyphs = f + hdr[2];
			con.glyph_count = hdr[4];
			con.glyph_bytes = hdr[5];
			con.glyph_h = hdr[6];
			con.glyph_w = hdr[7];
			return hdr[2] + (uint64_t)hdr[4] * hdr[5] <= size && con.glyph_w <= 32;
		}
	}
	if (size >= 4 && (f[0] | f[1] << 8) == PSF1_MAGIC) {
		con.glyphs = f + 4;
		con.glyph_count = (f[2] & 1) ? 512 : 256;
		con.glyph_h = con.glyph_bytes = f[3];
		con.glyph_w = 8;
		return 4 + (uint64_t)con.glyph_count * con.glyph_bytes <= size;
	}
	return false;
}

/* A colour given as 0xRRGGBB in the framebuffer's pixel format. */
static uint32_t rgb_value(uint32_t rrggbb)
{
	return rgb((uint8_t)(rrggbb >> 16), (uint8_t)(rrggbb >> 8), (uint8_t)rrggbb);
}

static void draw_glyph(unsigned col, unsigned row, unsigned char ch, uint32_t fg, uint32_t bg)
{
	if (ch >= con.glyph_count)
		ch = '?';
	const uint8_t *g = con.glyphs + (size_t)ch * con.glyph_bytes;
	unsigned row_bytes = (con.glyph_w + 7) / 8;
	for (uint32_t y = 0; y < con.glyph_h; y++) {
		uint32_t *px = (uint32_t *)(con.pixels + (row * con.glyph_h + y) * con.pitch) +
			       col * con.glyph_w;
		const uint8_t *bits = g + y * row_bytes;
		for (uint32_t x = 0; x < con.glyph_w; x++)
			px[x] = (bits[x / 8] & (0x80 >> (x % 8))) ? fg : bg;
	}
}

/* Invert one text cell: draws the cursor, or takes it away again. */
static void invert_cell(unsigned col, unsigned row)
{
	for (uint32_t y = 0; y < con.glyph_h; y++) {
		uint32_t *px = (uint32_t *)(con.pixels + (row * con.glyph_h + y) * con.pitch) +
			       col * con.glyph_w;
		for (uint32_t x = 0; x < con.glyph_w; x++)
			px[x] ^= 0x00FFFFFF;
	}
}

/* Cells [col, col + n) of one row back to the black background. */
static void erase_cells(unsigned col, unsigned row, unsigned n)
{
	for (uint32_t y = 0; y < con.glyph_h; y++)
		memset(con.pixels + (row * con.glyph_h + y) * con.pitch + col * con.glyph_w * 4, 0,
		       (size_t)n * con.glyph_w * 4);
}

static void scroll(void)
{
	unsigned keep = con.rows / 2;
	size_t line_bytes = (size_t)con.glyph_h * con.pitch;
	memmove(con.pixels, con.pixels + (con.rows - keep) * line_bytes, keep * line_bytes);
	memset(con.pixels + keep * line_bytes, 0, (con.rows - keep) * line_bytes);
	con.row = keep;
}

/* The end of ESC[ params final: act on the final byte. */
static void escape_done(char final)
{
	unsigned n = con.esc_param[0] ? con.esc_param[0] : 1;
	switch (final) {
	case 'D':
		con.col = n > con.col ? 0 : con.col - n;
		break;
	case 'C':
		con.col = n >= con.cols - con.col ? con.cols - 1 : con.col + n;
		break;
	case 'K':
		if (con.esc_param[0] == 0)
			erase_cells(con.col, con.row, con.cols - con.col);
		break;
	case 'J':
		if (con.esc_param[0] == 2)
			memset(con.pixels, 0, (size_t)con.pitch * con.height);
		break;
	case 'H':
	case 'f': {
		unsigned row = con.esc_param[0] ? con.esc_param[0] - 1u : 0;
		unsigned col = con.esc_param[1] ? con.esc_param[1] - 1u : 0;
		con.row = row < con.rows ? row : con.rows - 1;
		con.col = col < con.cols ? col : con.cols - 1;
		break;
	}
	default:
		break; /* understood well enough to skip, not to act on */
	}
}

/* A byte inside an escape sequence (con.esc is not ESC_NONE). */
static void escape_byte(char c)
{
	if (con.esc == ESC_SEEN) {
		con.esc = c == '[' ? ESC_CSI : ESC_NONE; /* ESC + anything else: both dropped */
		con.esc_count = 0;
		con.esc_param[0] = con.esc_param[1] = 0;
		return;
	}
	if (c >= '0' && c <= '9') {
		if (con.esc_count == 0)
			con.esc_count = 1;
		if (con.esc_count <= 2) {
			uint16_t *p = &con.esc_param[con.esc_count - 1];
			*p = *p > 999 ? 9999 : (uint16_t)(*p * 10 + (c - '0'));
		}
	} else if (c == ';') {
		con.esc_count = con.esc_count ? con.esc_count + 1 : 2;
		if (con.esc_count > 3)
			con.esc_count = 3; /* more parameters than we use: ignore the rest */
	} else if (c >= 0x40 && c <= 0x7e) {
		con.esc = ESC_NONE;
		escape_done(c);
	} else if (c < 0x20 || c > 0x7e) {
		con.esc = ESC_NONE; /* a control byte cancels the sequence */
	}
	/* intermediate bytes (0x20-0x2f) and private markers (<=>?) are skipped */
}

static void fbcon_putc(char c, uint32_t fg)
{
	if (con.esc != ESC_NONE) {
		escape_byte(c);
		return;
	}
	if (c == 0x1b) {
		con.esc = ESC_SEEN;
		return;
	}
	if (c == '\b') {
		if (con.col > 0)
			con.col--;
		return;
	}
	if (c == '\n') {
		con.col = 0;
		con.row++;
	} else if (c == '\r') {
		con.col = 0;
	} else if (c == '\t') {
		con.col = (con.col + 8) & ~7u;
	} else if ((unsigned char)c < 0x20 || c == 0x7f) {
		return; /* no glyph for a control byte */
	} else {
		draw_glyph(con.col, con.row, (unsigned char)c, fg, 0);
		con.col++;
	}
	if (con.col >= con.cols) {
		con.col = 0;
		con.row++;
	}
	if (con.row >= con.rows)
		scroll();
}

static void fbcon_write(const char *s, unsigned long len, enum log_level level)
{
	uint32_t fg = level_colour(level);
	bool locked = !panic_in_progress();
	if (locked)
		spin_lock(&fb_lock);
	if (con.cursor_shown)
		invert_cell(con.col, con.row);
	for (unsigned long i = 0; i < len; i++)
		fbcon_putc(s[i], fg);
	invert_cell(con.col, con.row);
	con.cursor_shown = true;
	if (locked)
		spin_unlock(&fb_lock);
}

static struct console fb_console = {.name = "framebuffer", .write = fbcon_write};

void fbcon_geometry(unsigned *cols, unsigned *rows)
{
	*cols = con.cols;
	*rows = con.rows;
}

void fbcon_init(const struct boot_framebuffer *fb, void *fb_virt)
{
	if (fb->base == 0 || fb->format == BOOT_FB_NONE || !load_font())
		return;
	con.pixels = fb_virt;
	con.width = fb->width;
	con.height = fb->height;
	con.pitch = fb->pitch;
	con.format = fb->format;
	con.cols = con.width / con.glyph_w;
	con.rows = con.height / con.glyph_h;
	if (con.cols == 0 || con.rows < 2)
		return;
	memset(con.pixels, 0, (size_t)con.pitch * con.height);
	con.ready = true;
	console_register(&fb_console);
}

bool fbcon_info(struct fbcon_info *info)
{
	if (!con.ready)
		return false;
	*info = (struct fbcon_info){
		.width = con.width, .height = con.height, .pitch = con.pitch, .bpp = 32,
		.cols = con.cols, .rows = con.rows, .glyph_width = con.glyph_w,
		.glyph_height = con.glyph_h,
	};
	return true;
}

int fbcon_draw_text(unsigned col, unsigned row, const char *text, unsigned len, uint32_t fg,
		    uint32_t bg)
{
	if (!con.ready || row >= con.rows || col >= con.cols || len > con.cols - col)
		return -1;
	uint32_t fg_px = rgb_value(fg), bg_px = rgb_value(bg);
	spin_lock(&fb_lock);
	if (con.cursor_shown && row == con.row && con.col >= col && con.col < col + len)
		con.cursor_shown = false; /* drawn over: inverting it again would spoil the text */
	for (unsigned i = 0; i < len; i++)
		draw_glyph(col + i, row, (unsigned char)text[i], fg_px, bg_px);
	spin_unlock(&fb_lock);
	return 0;
}

int fbcon_clear(uint32_t bg)
{
	if (!con.ready)
		return -1;
	uint32_t px = rgb_value(bg);
	spin_lock(&fb_lock);
	for (uint32_t y = 0; y < con.height; y++) {
		uint32_t *line = (uint32_t *)(con.pixels + (size_t)y * con.pitch);
		for (uint32_t x = 0; x < con.width; x++)
			line[x] = px;
	}
	con.col = con.row = 0;
	con.cursor_shown = false;
	spin_unlock(&fb_lock);
	return 0;
}
