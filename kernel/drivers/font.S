/* font.S: the console font (a PSF file from Debian's kbd package), linked in as-is. */
	.section .rodata
	.globl console_font, console_font_end
	.balign 16
console_font:
	.incbin FONT_FILE
console_font_end:
	.section .note.GNU-stack, "", @progbits
