/*
 * printfmt.c - printf-style formatting for the hypervisor, the loader's
 * ASCII paths and the guests.  No floating point: kernel code has no SSE.
 */
#include <inc/stdio.h>
#include <inc/string.h>

struct spec {
	bool left; /* '-' */
	char pad;  /* ' ' or '0' */
	int width;
	int prec; /* -1: none */
	int len;  /* number of 'l's; 'z', 'j' and 't' count as 2 */
};

struct out {
	putch_fn putch;
	void *arg;
	int n;
};

static void emit(struct out *o, int ch)
{
	o->putch(ch, o->arg);
	o->n++;
}

static void emit_pad(struct out *o, char c, int count)
{
	while (count-- > 0)
		emit(o, c);
}

/* Emits s (len bytes) padded to the field width. */
static void emit_field(struct out *o, const struct spec *sp, const char *s,
		       int len)
{
	int fill = sp->width - len;

	if (!sp->left)
		emit_pad(o, ' ', fill);
	while (len-- > 0)
		emit(o, *s++);
	if (sp->left)
		emit_pad(o, ' ', fill);
}

static void emit_number(struct out *o, const struct spec *sp, uint64_t v,
			unsigned base, bool upper, bool neg, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];
	int nd = 0, plen = (int)strlen(prefix) + (neg ? 1 : 0);

	do {
		buf[nd++] = digits[v % base];
		v /= base;
	} while (v);
	int zeros = sp->prec > nd ? sp->prec - nd : 0;
	int fill = sp->width - nd - zeros - plen;

	if (sp->pad == '0' && !sp->left && sp->prec < 0) {
		zeros += fill > 0 ? fill : 0;
		fill = 0;
	}
	if (!sp->left)
		emit_pad(o, ' ', fill);
	if (neg)
		emit(o, '-');
	while (*prefix)
		emit(o, *prefix++);
	emit_pad(o, '0', zeros);
	while (nd > 0)
		emit(o, buf[--nd]);
	if (sp->left)
		emit_pad(o, ' ', fill);
}

/* The next integer argument of length len, sign-extended when sign. */
static uint64_t arg_int(va_list *ap, int len, bool sign)
{
	if (len >= 2)
		return va_arg(*ap, unsigned long long);
	if (len == 1)
		return sign ? (uint64_t)va_arg(*ap, long) :
			      va_arg(*ap, unsigned long);
	return sign ? (uint64_t)va_arg(*ap, int) : va_arg(*ap, unsigned int);
}

/* Parses flags, width, precision and length at *fmt; advances *fmt. */
static struct spec parse_spec(const char **fmt, va_list *ap)
{
	struct spec sp = { .pad = ' ', .prec = -1 };
	const char *p = *fmt;

	for (;; p++) {
		if (*p == '-')
			sp.left = true;
		else if (*p == '0')
			sp.pad = '0';
		else
			break;
	}
	if (*p == '*') {
		sp.width = va_arg(*ap, int);
		p++;
	}
	while (*p >= '0' && *p <= '9')
		sp.width = sp.width * 10 + (*p++ - '0');
	if (*p == '.') {
		sp.prec = 0;
		if (*++p == '*') {
			sp.prec = va_arg(*ap, int);
			p++;
		}
		while (*p >= '0' && *p <= '9')
			sp.prec = sp.prec * 10 + (*p++ - '0');
	}
	for (;; p++) {
		if (*p == 'l')
			sp.len++;
		else if (*p == 'z' || *p == 'j' || *p == 't')
			sp.len = 2;
		else if (*p != 'h')
			break;
	}
	*fmt = p;
	return sp;
}

static void emit_string(struct out *o, const struct spec *sp, const char *s)
{
	if (!s)
		s = "(null)";
	size_t len = sp->prec >= 0 ? strnlen(s, (size_t)sp->prec) : strlen(s);
	emit_field(o, sp, s, (int)len);
}

/* Handles one conversion character c with its parsed spec. */
static void convert(struct out *o, struct spec *sp, char c, va_list *ap)
{
	int64_t sv;
	char ch;

	switch (c) {
	case 'd':
	case 'i':
		sv = (int64_t)arg_int(ap, sp->len, true);
		emit_number(o, sp, sv < 0 ? -(uint64_t)sv : (uint64_t)sv, 10,
			    false, sv < 0, "");
		break;
	case 'u':
	case 'x':
	case 'X':
	case 'o':
		emit_number(o, sp, arg_int(ap, sp->len, false),
			    c == 'u' ? 10 :
			    c == 'o' ? 8 :
				       16,
			    c == 'X', false, "");
		break;
	case 'p':
		emit_number(o, sp, (uintptr_t)va_arg(*ap, void *), 16, false,
			    false, "0x");
		break;
	case 's': emit_string(o, sp, va_arg(*ap, const char *)); break;
	case 'c':
		ch = (char)va_arg(*ap, int);
		emit_field(o, sp, &ch, 1);
		break;
	case '%': emit(o, '%'); break;
	default:
		/* Unknown conversion: show it rather than guess. */
		emit(o, '%');
		emit(o, c);
		break;
	}
}

int vprintfmt(putch_fn putch, void *arg, const char *fmt, va_list ap)
{
	struct out o = { putch, arg, 0 };
	va_list aq;

	va_copy(aq, ap);
	while (*fmt) {
		if (*fmt != '%') {
			emit(&o, *fmt++);
			continue;
		}
		fmt++;
		struct spec sp = parse_spec(&fmt, &aq);
		if (!*fmt)
			break;
		convert(&o, &sp, *fmt++, &aq);
	}
	va_end(aq);
	return o.n;
}

struct sbuf {
	char *buf;
	size_t size;
	size_t pos;
};

static void sbuf_putch(int ch, void *arg)
{
	struct sbuf *b = arg;

	if (b->pos + 1 < b->size)
		b->buf[b->pos] = (char)ch;
	b->pos++;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sbuf b = { buf, size, 0 };
	int n = vprintfmt(sbuf_putch, &b, fmt, ap);

	if (size > 0)
		buf[MIN(b.pos, size - 1)] = '\0';
	return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
