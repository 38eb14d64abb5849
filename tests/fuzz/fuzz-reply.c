/* fuzz-reply.c: a libFuzzer target for the SMTP reply parser (poste_reply_parse, poste_reply_read)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Properties checked on any input (RFC 5321 section 4.2):
 *  - the parser either returns a reply or fails with a POSTE_PROTOCOL_ERROR, never anything else;
 *  - a parsed reply has a code from 200 to 599 (RFC 5321 section 4.2.1 gives 2yz to 5yz; codes
 *    below are not replies to commands we send), at least one line, and no line holds CR, LF
 *    or NUL;
 *  - formatting a parsed reply and parsing it again gives a reply of the same code, enhanced
 *    code and number of lines (the formatter writes only what the parser takes);
 *  - reading the same bytes through PosteConnection (poste_reply_read) gives the same reply, so
 *    the two entry points cannot disagree about what a provider said.
 */
#include "config.h"

#include <string.h>

#include "poste.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
assert_same (const PosteReply *a,
             const PosteReply *b)
{
  g_assert_cmpuint (a->code, ==, b->code);
  g_assert_cmpstr (a->enhanced, ==, b->enhanced);
  g_assert_cmpuint (g_strv_length (a->lines), ==, g_strv_length (b->lines));
  for (guint i = 0; a->lines[i] != NULL; i++)
    g_assert_cmpstr (a->lines[i], ==, b->lines[i]);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteReply) reply = NULL;

  /* Bounded like every read: a reply is at most a few hundred lines of 512 octets. */
  if (size > 64 * 1024)
    return 0;

  reply = poste_reply_parse ((const char *) data, size, &error);
  if (reply == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == POSTE_PROTOCOL_ERROR);
      return 0;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (reply->code, >=, 200);
  g_assert_cmpuint (reply->code, <=, 599);
  g_assert_nonnull (reply->lines);
  g_assert_nonnull (reply->lines[0]);
  for (guint i = 0; reply->lines[i] != NULL; i++)
    g_assert_null (strpbrk (reply->lines[i], "\r\n"));

  /* Format, parse again: a reply of the same code, enhanced code and number of lines. (The text
   * of a line is not compared: text that looks like an enhanced code is taken for one on any
   * line, RFC 2034 section 4, so a line's text can change on the way round.) */
  {
    g_autofree char *text = poste_reply_to_string (reply);
    g_autoptr(PosteReply) again = poste_reply_parse (text, strlen (text), &error);
    g_autofree char *description = poste_reply_describe (reply);

    g_assert_no_error (error);
    g_assert_nonnull (again);
    g_assert_cmpuint (reply->code, ==, again->code);
    g_assert_cmpstr (reply->enhanced, ==, again->enhanced);
    g_assert_cmpuint (g_strv_length (reply->lines), ==, g_strv_length (again->lines));
    g_assert_nonnull (description);
    (void) poste_reply_has_keyword (reply, "STARTTLS", NULL);
  }

  /* The same bytes from a stream. */
  {
    g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data (data, size, NULL);
    g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
    g_autoptr(GIOStream) stream = g_simple_io_stream_new (in, out);
    PosteConnection *connection = poste_connection_new (stream);
    g_autoptr(PosteReply) read = poste_reply_read (connection, NULL, &error);

    g_assert_no_error (error);
    g_assert_nonnull (read);
    assert_same (reply, read);
    poste_connection_unref (connection);
  }
  return 0;
}
