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
} con;

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

static void scroll(void)
{
	unsigned keep = con.rows / 2;
	size_t line_bytes = (size_t)con.glyph_h * con.pitch;
	memmove(con.pixels, con.pixels + (con.rows - keep) * line_bytes, keep * line_bytes);
	memset(con.pixels + keep * line_bytes, 0, (con.rows - keep) * line_bytes);
	con.row = keep;
}

static void fbcon_putc(char c, uint32_t fg)
{
	if (c == '\n') {
		con.col = 0;
		con.row++;
	} else if (c == '\r') {
		con.col = 0;
	} else if (c == '\t') {
		con.col = (con.col + 8) & ~7u;
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
	for (unsigned long i = 0; i < len; i++)
		fbcon_putc(s[i], fg);
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
	spin_unlock(&fb_lock);
	return 0;
}
