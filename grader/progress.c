/*
 * progress.c - the live progress line of a grader run on a terminal,
 * "[n/m] SUITE/TEST  ELAPSED": the test that started last, redrawn in place
 * every second.  Criterion's own lines (failed assertions, crashes) go to
 * the same terminal: the hooks in main.c erase the line before Criterion
 * prints, and it stays away for a moment after.  When stdout is not a
 * terminal nothing is drawn, so logs and files get no control characters.
 * The hooks run in Criterion's runner process, the ticker in a thread of it.
 */
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include "internal.h"

#define PROGRESS_QUIET 0.5 /* seconds the line stays away after erasing */

static struct {
	pthread_mutex_t lock;
	pthread_cond_t stop;
	pthread_t ticker;
	int on, started, total;
	char name[200];
	double start, quiet_until;
} pg = { .lock = PTHREAD_MUTEX_INITIALIZER, .stop = PTHREAD_COND_INITIALIZER };

/* Draws the line; pg.lock held. */
static void progress_draw(void)
{
	int s = (int)(now_seconds() - pg.start);

	if (!pg.started || now_seconds() < pg.quiet_until)
		return;
	if (s >= 60)
		printf("\r\033[K[%d/%d] %s  %dm%02ds", pg.started, pg.total,
		       pg.name, s / 60, s % 60);
	else
		printf("\r\033[K[%d/%d] %s  %ds", pg.started, pg.total, pg.name,
		       s);
	fflush(stdout);
}

static void *progress_tick(void *unused)
{
	struct timespec at;

	(void)unused;
	pthread_mutex_lock(&pg.lock);
	while (pg.on) {
		clock_gettime(CLOCK_REALTIME, &at);
		at.tv_sec++;
		pthread_cond_timedwait(&pg.stop, &pg.lock, &at);
		if (pg.on)
			progress_draw();
	}
	pthread_mutex_unlock(&pg.lock);
	return NULL;
}

/* Shows the line for a run of total tests that began at start, on a tty. */
void progress_start(int total, double start)
{
	if (!isatty(STDOUT_FILENO) || total <= 0)
		return;
	pg.total = total;
	pg.start = start;
	pg.on = 1;
	if (pthread_create(&pg.ticker, NULL, progress_tick, NULL) != 0)
		pg.on = 0;
}

/* A test starts: it is the one the line names. */
void progress_test(const char *suite, const char *name)
{
	pthread_mutex_lock(&pg.lock);
	if (pg.on) {
		pg.started++;
		snprintf(pg.name, sizeof(pg.name), "%s/%s", suite, name);
		progress_draw();
	}
	pthread_mutex_unlock(&pg.lock);
}

/* Erases the line: someone else is about to print. */
void progress_hide(void)
{
	pthread_mutex_lock(&pg.lock);
	if (pg.on) {
		printf("\r\033[K");
		fflush(stdout);
		pg.quiet_until = now_seconds() + PROGRESS_QUIET;
	}
	pthread_mutex_unlock(&pg.lock);
}

/* The run is over: erase the line for good. */
void progress_stop(void)
{
	int was_on;

	progress_hide();
	pthread_mutex_lock(&pg.lock);
	was_on = pg.on;
	pg.on = 0;
	pthread_cond_signal(&pg.stop);
	pthread_mutex_unlock(&pg.lock);
	if (was_on)
		pthread_join(pg.ticker, NULL);
}
