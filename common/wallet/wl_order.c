#include <sodium.h>
#include <string.h>
#include <time.h>

#include "json/jx.h"
#include "wallet/wl_amount.h"
#include "wallet/wl_order.h"

#define BACKOFF_MS 100

void
wl_order_id_new(char id[WL_ORDER_ID_MAX + 1])
{
	unsigned char raw[16];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(id, WL_ORDER_ID_MAX + 1, raw, sizeof(raw));
}

int
wl_order_id_valid(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= WL_ORDER_ID_MAX && strspn(s,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:-")
	    == n;
}

static void
pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

void
wl_answer_message(const struct wl_client *c, struct eb *e)
{
	json_t *v = c->body.len ? json_loadb(c->body.buf, c->body.len, 0, NULL) :
	    NULL;
	json_t *msg = json_is_object(v) ? json_object_get(v, "error") : NULL;
	char text[200];
	size_t i, n = 0;

	if (json_is_string(msg)) {
		eb_set(e, "%.300s (HTTP %ld)", json_string_value(msg), c->status);
	} else {
		/* a foreign server's text: first line, printable bytes only */
		for (i = 0; i < c->body.len && c->body.buf[i] != '\n' &&
		    n < sizeof(text) - 1; i++)
			if (c->body.buf[i] >= 0x20 && c->body.buf[i] < 0x7f)
				text[n++] = c->body.buf[i];
		text[n] = '\0';
		eb_set(e, "%s%sHTTP %ld", text, n ? " (" : "", c->status);
		if (n)
			strcat(e->msg, ")");
	}
	json_decref(v);
	wl_redact(e->msg, c->cfg->access_key);
}

static void
put_head(struct sb *line, const struct wl_order *o)
{
	char amount[WL_FIXED_MAX];

	sb_adds(line, "{\"order_id\":");
	jx_put_cstr(line, o->order_id);
	sb_adds(line, ",\"side\":");
	jx_put_cstr(line, o->side);
	sb_adds(line, ",\"amount\":");
	sb_add(line, amount, wl_fixed_fmt(o->sats, 8, amount));
}

static void
put_failure(struct sb *line, const struct wl_order *o, long status,
    const char *msg)
{
	put_head(line, o);
	if (status > 0) {
		sb_adds(line, ",\"status\":");
		jx_put_int(line, status);
	}
	sb_adds(line, ",\"error\":");
	jx_put_cstr(line, msg);
	sb_addc(line, '}');
}

/* JSON text without the whitespace between tokens. Working on the text,
 * not on a parsed value, keeps every number as the server wrote it
 * (0.00001 stays 0.00001; a double would print 1e-05). */
static void
compact(const char *p, size_t n, struct sb *out)
{
	int in_string = 0, escaped = 0;

	for (size_t i = 0; i < n; i++) {
		char ch = p[i];

		if (in_string) {
			if (escaped)
				escaped = 0;
			else if (ch == '\\')
				escaped = 1;
			else if (ch == '"')
				in_string = 0;
		} else if (ch == '"') {
			in_string = 1;
		} else if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
			continue;
		}
		sb_addc(out, ch);
	}
}

/* The compact text of the object in a 2xx answer, with the order id added
 * when the server does not echo it; a non-JSON answer wrapped in one. */
static void
put_success(struct sb *line, const struct wl_order *o,
    const struct wl_client *c)
{
	json_t *v = json_loadb(c->body.buf ? c->body.buf : "", c->body.len, 0,
	    NULL);

	if (json_is_object(v)) {
		compact(c->body.buf, c->body.len, line);
		if (json_object_get(v, "order_id") == NULL) {
			line->len--;	/* the closing brace */
			sb_adds(line, json_object_size(v) ? ",\"order_id\":" :
			    "\"order_id\":");
			jx_put_cstr(line, o->order_id);
			sb_addc(line, '}');
		}
	} else {
		put_head(line, o);
		sb_adds(line, ",\"status\":");
		jx_put_int(line, c->status);
		sb_adds(line, ",\"response\":");
		jx_put_string(line, c->body.buf ? c->body.buf : "", c->body.len);
		sb_addc(line, '}');
	}
	json_decref(v);
}

/* After a lost answer: does this server treat order ids as idempotent?
 * Asked once, of info/, which changes nothing. */
static int
server_idempotent(struct wl_client *c)
{
	const char *params[] = { "user_id", c->cfg->user_id, NULL };
	struct eb ignored;

	if (!c->idempotent)
		wl_get(c, "info/", params, &ignored);
	return c->idempotent;
}

int
wl_place(struct wl_client *c, const struct wl_order *o, int retries,
    struct sb *line, struct eb *e)
{
	char amount[WL_FIXED_MAX], path[8];
	const char *params[] = { "amount", amount, "user_id", c->cfg->user_id,
	    "access_key", c->cfg->access_key, "order_id", o->order_id, NULL };
	int attempt;

	wl_fixed_fmt(o->sats, 8, amount);
	snprintf(path, sizeof(path), "%s/", o->side);
	for (attempt = 0;; attempt++) {
		enum wl_sent sent = wl_get(c, path, params, e);
		int more = attempt < retries;

		if (sent == WL_FAILED_HERE) {
			/* an earlier attempt may have reached the server */
			if (attempt > 0)
				eb_wrap(e, "no definite answer, the order may or"
				    " may not have been executed (order_id %s)",
				    o->order_id);
			put_failure(line, o, 0, e->msg);
			return attempt > 0 ? WL_EXIT_UNREACHABLE : WL_EXIT_FAILED;
		}
		if (sent == WL_ANSWERED && c->status >= 200 && c->status < 300) {
			put_success(line, o, c);
			return WL_EXIT_OK;
		}
		if (sent == WL_ANSWERED && c->status >= 400 && c->status < 500) {
			wl_answer_message(c, e);
			put_failure(line, o, c->status, e->msg);
			return WL_EXIT_REJECTED;
		}
		if (sent == WL_ANSWERED) {
			/* 5xx (or 1xx/3xx): done or not, the server does not say */
			wl_answer_message(c, e);
			if (more && c->answer_idempotent) {
				pause_ms(BACKOFF_MS << attempt);
				continue;
			}
			eb_wrap(e, "no definite answer: server error");
			put_failure(line, o, c->status, e->msg);
			return WL_EXIT_UNREACHABLE;
		}
		if (sent == WL_NOT_SENT && more) {
			pause_ms(BACKOFF_MS << attempt);
			continue;
		}
		if (sent == WL_MAYBE_SENT && more && server_idempotent(c)) {
			pause_ms(BACKOFF_MS << attempt);
			continue;
		}
		if (sent == WL_MAYBE_SENT)
			eb_wrap(e, "no definite answer, the order may or may not"
			    " have been executed (order_id %s)", o->order_id);
		else
			eb_wrap(e, "cannot reach the server");
		put_failure(line, o, 0, e->msg);
		return WL_EXIT_UNREACHABLE;
	}
}

/* The wallet object's compact text: the array unwrapped, user_id first. */
static void
wallet_text(const struct wl_client *c, json_t *obj, struct sb *out)
{
	struct sb flat = SB_INIT;
	size_t start = 0, end;

	compact(c->body.buf, c->body.len, &flat);
	if (sb_failed(&flat)) {
		sb_free(&flat);
		out->failed = 1;	/* the owner checks */
		return;
	}
	end = flat.len;
	if (flat.len && flat.buf[0] == '[') {
		start = 1;
		end--;
	}
	if (json_object_get(obj, "user_id") == NULL) {
		sb_adds(out, "{\"user_id\":");
		jx_put_cstr(out, c->cfg->user_id);
		if (json_object_size(obj))
			sb_addc(out, ',');
		start++;
	}
	sb_add(out, flat.buf + start, end - start);
	sb_free(&flat);
}

/* The answer to info/ as a wallet; returns a WL_EXIT_* status. */
static int
normalise(const struct wl_client *c, json_t **wallet, struct sb *text,
    struct eb *e)
{
	json_error_t je;
	json_t *v = json_loadb(c->body.buf ? c->body.buf : "", c->body.len, 0,
	    &je), *obj = v, *out;
	const char *key;
	json_t *val;
	int bad = 0;

	if (v == NULL && json_error_code(&je) == json_error_out_of_memory) {
		eb_set(e, "out of memory");
		return WL_EXIT_FAILED;
	}
	if (json_is_array(v) && json_array_size(v) == 1)
		obj = json_array_get(v, 0);
	if (!json_is_object(obj)) {
		json_decref(v);
		eb_set(e, "the server's answer is not a wallet: want"
		    " [{\"bitcoin\":...,\"euro\":...}]");
		return WL_EXIT_UNREACHABLE;
	}
	if (text)
		wallet_text(c, obj, text);
	out = json_object();
	bad = out == NULL || json_object_set_new(out, "user_id",
	    json_string(c->cfg->user_id)) != 0;
	json_object_foreach(obj, key, val)
		if (!bad && strcmp(key, "user_id") != 0)
			bad = json_object_set(out, key, val) != 0;
	json_decref(v);
	if (bad) {
		json_decref(out);
		eb_set(e, "out of memory");
		return WL_EXIT_FAILED;
	}
	*wallet = out;
	return WL_EXIT_OK;
}

int
wl_info(struct wl_client *c, int retries, json_t **wallet, struct sb *text,
    struct eb *e)
{
	const char *params[] = { "user_id", c->cfg->user_id, NULL };
	int attempt;

	for (attempt = 0;; attempt++) {
		/* reading a wallet changes nothing: any failure may be retried */
		enum wl_sent sent = wl_get(c, "info/", params, e);

		if (sent == WL_FAILED_HERE)
			return WL_EXIT_FAILED;
		if (sent == WL_ANSWERED && c->status >= 200 && c->status < 300)
			return normalise(c, wallet, text, e);
		if (sent == WL_ANSWERED && c->status >= 400 && c->status < 500) {
			wl_answer_message(c, e);
			return WL_EXIT_REJECTED;
		}
		if (sent == WL_ANSWERED)
			wl_answer_message(c, e);
		if (sent != WL_HOPELESS && attempt < retries) {
			pause_ms(BACKOFF_MS << attempt);
			continue;
		}
		eb_wrap(e, "cannot reach the server");
		return WL_EXIT_UNREACHABLE;
	}
}
