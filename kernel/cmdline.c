/*
 * cmdline.c - the boot command line (\hvlab.cmd on the ESP, handed over in
 * boot_info.cmdline): space-separated key=value words (lab 1).
 */
#include <inc/boot_info.h>
#include <kernel/kernel.h>

#define CMDLINE_MAX_WORDS 32

struct cmdline_word {
	const char *key;
	const char *value; /* "" for a bare word */
};

static char cmdline_buf[BOOT_CMDLINE_MAX];
static struct cmdline_word cmdline_words[CMDLINE_MAX_WORDS];
static int cmdline_nwords;

static bool cmdline_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Splits one word at '=' and records it; returns false when the table is full. */
static bool cmdline_add(char *word)
{
	char *eq = strchr(word, '=');

	if (cmdline_nwords == CMDLINE_MAX_WORDS) {
		cprintf("hvlab: cmdline: more than %d words, ignoring \"%s\" "
			"and the rest\n",
			CMDLINE_MAX_WORDS, word);
		return false;
	}
	cmdline_words[cmdline_nwords].key = word;
	cmdline_words[cmdline_nwords].value = eq ? eq + 1 : "";
	if (eq)
		*eq = '\0';
	cmdline_nwords++;
	return true;
}

void cmdline_init(const struct boot_info *bi)
{
	char *p = cmdline_buf;

	strlcpy(cmdline_buf, bi->cmdline, sizeof(cmdline_buf));
	cmdline_nwords = 0;
	while (*p) {
		while (cmdline_is_space(*p))
			*p++ = '\0';
		if (!*p)
			break;
		char *word = p;
		while (*p && !cmdline_is_space(*p))
			p++;
		if (*p)
			*p++ = '\0';
		if (!cmdline_add(word))
			break;
	}
}

const char *cmdline_get(const char *key)
{
	for (int i = cmdline_nwords - 1; i >= 0; i--)
		if (strcmp(cmdline_words[i].key, key) == 0)
			return cmdline_words[i].value;
	return NULL;
}
