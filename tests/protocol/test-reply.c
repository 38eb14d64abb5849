/* test-reply.c: the SMTP reply parser and formatter
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "poste.h"
#include "poste-test.h"

static PosteReply *
parse (const char *text,
       GError    **error)
{
  return poste_reply_parse (text, strlen (text), error);
}

static void
test_single_line (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteReply) reply = parse ("250 2.1.0 Sender ok\r\n", &error);

  g_assert_no_error (error);
  g_assert_cmpuint (reply->code, ==, 250);
  g_assert_cmpstr (reply->enhanced, ==, "2.1.0");
  g_assert_cmpuint (g_strv_length (reply->lines), ==, 1);
  g_assert_cmpstr (reply->lines[0], ==, "Sender ok");
  g_assert_true (poste_reply_is_positive (reply));
}

static void
test_multi_line (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteReply) reply =
    parse ("250-odmr.example.net hello\r\n250-AUTH CRAM-MD5 SCRAM-SHA-256\r\n250-STARTTLS\r\n250 ATRN\r\n",
           &error);
  const char *params = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (reply->lines), ==, 4);
  g_assert_null (reply->enhanced);
  g_assert_true (poste_reply_has_keyword (reply, "auth", &params));
  g_assert_cmpstr (params, ==, "CRAM-MD5 SCRAM-SHA-256");
  g_assert_true (poste_reply_has_keyword (reply, "STARTTLS", NULL));
  g_assert_true (poste_reply_has_keyword (reply, "ATRN", &params));
  g_assert_cmpstr (params, ==, "");
  g_assert_false (poste_reply_has_keyword (reply, "ATR", NULL));
  /* The greeting line is never taken for a keyword. */
  g_assert_false (poste_reply_has_keyword (reply, "odmr.example.net", NULL));
}

static void
test_bare_code (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteReply) reply = parse ("453\r\n", &error);

  g_assert_no_error (error);
  g_assert_cmpuint (reply->code, ==, 453);
  g_assert_cmpstr (reply->lines[0], ==, "");
}

static void
test_malformed (void)
{
  static const struct {
    const char *text;
    int         code;
  } cases[] = {
    { "250-first\r\n251 second\r\n", POSTE_PROTOCOL_ERROR_MALFORMED },   /* codes change */
    { "2x0 nope\r\n", POSTE_PROTOCOL_ERROR_MALFORMED },                  /* non-digit code */
    { "650 out of range\r\n", POSTE_PROTOCOL_ERROR_MALFORMED },
    { "199 out of range\r\n", POSTE_PROTOCOL_ERROR_MALFORMED },
    { "25\r\n", POSTE_PROTOCOL_ERROR_MALFORMED },
    { "250_bad separator\r\n", POSTE_PROTOCOL_ERROR_MALFORMED },
    { "250 bare LF\n", POSTE_PROTOCOL_ERROR_MALFORMED },
    { "250 bare\rCR\r\n", POSTE_PROTOCOL_ERROR_MALFORMED },
    { "250 escape \033[31m\r\n", POSTE_PROTOCOL_ERROR_MALFORMED },
    { "250 ok\r\nextra", POSTE_PROTOCOL_ERROR_MALFORMED },               /* bytes after the end */
    { "250-more to come\r\n", POSTE_PROTOCOL_ERROR_MALFORMED },          /* never ends */
    { "250 \xff\xfe not UTF-8\r\n", POSTE_PROTOCOL_ERROR_MALFORMED },
    { "", POSTE_PROTOCOL_ERROR_MALFORMED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PosteReply) reply = parse (cases[i].text, &error);

      g_test_message ("case %u", i);
      g_assert_null (reply);
      g_assert_error (error, POSTE_PROTOCOL_ERROR, cases[i].code);
    }
}

static void
test_nul (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteReply) reply = poste_reply_parse ("250 a\0b\r\n", 9, &error);

  g_assert_null (reply);
  g_assert_error (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_MALFORMED);
}

static void
test_limits (void)
{
  GString *text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteReply) reply = NULL;

  /* 510 octets before CR LF is the longest line allowed. */
  g_string_append (text, "250 ");
  while (text->len < 510)
    g_string_append_c (text, 'x');
  g_string_append (text, "\r\n");
  reply = parse (text->str, &error);
  g_assert_no_error (error);
  g_clear_pointer (&reply, poste_reply_free);

  g_string_truncate (text, 510);
  g_string_append (text, "y\r\n");
  reply = parse (text->str, &error);
  g_assert_error (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_LINE_TOO_LONG);
  g_clear_error (&error);

  g_string_truncate (text, 0);
  for (guint i = 0; i < POSTE_REPLY_MAX_LINES + 1; i++)
    g_string_append (text, "250-line\r\n");
  g_string_append (text, "250 end\r\n");
  reply = parse (text->str, &error);
  g_assert_error (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_TOO_MANY_LINES);

  g_string_free (text, TRUE);
}

static void
test_format (void)
{
  g_autoptr(PosteReply) reply = poste_reply_new (250, "2.0.0", "first\nsecond");
  g_autoptr(PosteReply) again = NULL;
  g_autoptr(PosteReply) spoofed = poste_reply_new (550, NULL, "evil\r250 ok");
  g_autofree char *text = poste_reply_to_string (reply);
  g_autofree char *described = NULL;
  g_autofree char *spoofed_text = poste_reply_to_string (spoofed);
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (text, ==, "250-2.0.0 first\r\n250 2.0.0 second\r\n");
  again = parse (text, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again->enhanced, ==, "2.0.0");
  g_assert_cmpstr (again->lines[1], ==, "second");
  described = poste_reply_describe (again);
  g_assert_cmpstr (described, ==, "250 2.0.0 first; second");
  /* Text can never break the framing. */
  g_assert_cmpstr (spoofed_text, ==, "550 evil 250 ok\r\n");
}

static void
test_printable (void)
{
  g_autofree char *a = poste_printable ("plain text", -1);
  g_autofree char *b = poste_printable ("nul\0esc\033\\", 9);
  g_autofree char *c = poste_printable ("caf\xc3\xa9 \xff", -1);

  g_assert_cmpstr (a, ==, "plain text");
  g_assert_cmpstr (b, ==, "nul\\x00esc\\x1b\\\\");
  g_assert_cmpstr (c, ==, "caf\xc3\xa9 \\xff");
}

int
main (int   argc,
      char *argv[])
{
  poste_test_init (&argc, &argv);

  g_test_add_func ("/reply/single-line", test_single_line);
  g_test_add_func ("/reply/multi-line", test_multi_line);
  g_test_add_func ("/reply/bare-code", test_bare_code);
  g_test_add_func ("/reply/malformed", test_malformed);
  g_test_add_func ("/reply/nul", test_nul);
  g_test_add_func ("/reply/limits", test_limits);
  g_test_add_func ("/reply/format", test_format);
  g_test_add_func ("/reply/printable", test_printable);

  return g_test_run ();
}
