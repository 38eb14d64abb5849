/* test-data-decoder.c: the DATA/BDAT byte-level state machine, split at every point
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "poste.h"
#include "poste-test.h"

typedef struct {
  GByteArray *out;
  gsize       largest;
} Sink;

static void
sink_cb (const guint8 *data,
         gsize         length,
         gpointer      user_data)
{
  Sink *sink = user_data;

  g_assert_cmpuint (length, >, 0);
  g_assert_cmpuint (length, <=, POSTE_DATA_DECODER_CHUNK);
  sink->largest = MAX (sink->largest, length);
  g_byte_array_append (sink->out, data, length);
}

typedef struct {
  GBytes               *output;
  gsize                 consumed;
  gboolean              done;
  PosteDataDecoderFlags flags;
  guint64               size;
  gsize                 longest;
} Result;

static void
result_clear (Result *r)
{
  g_clear_pointer (&r->output, g_bytes_unref);
}

/* Feeds @input cut at the offsets in @cuts (ascending, may be empty). */
static void
decode_cut (PosteDataDecoderMode  mode,
            const guint8         *input,
            gsize                 length,
            const gsize          *cuts,
            guint                 n_cuts,
            Result               *r)
{
  g_autoptr(PosteDataDecoder) decoder = poste_data_decoder_new (mode);
  Sink sink = { g_byte_array_new (), 0 };
  gsize pos = 0;

  for (guint i = 0; i <= n_cuts && !poste_data_decoder_is_done (decoder); i++)
    {
      gsize end = i < n_cuts ? cuts[i] : length;
      gsize used;

      if (end < pos)
        continue;
      used = poste_data_decoder_feed (decoder, input + pos, end - pos, sink_cb, &sink);
      g_assert_cmpuint (used, <=, end - pos);
      if (used < end - pos)
        g_assert_true (poste_data_decoder_is_done (decoder));
      pos += used;
    }
  if (mode == POSTE_DATA_DECODER_RAW)
    poste_data_decoder_finish (decoder, sink_cb, &sink);

  r->output = g_byte_array_free_to_bytes (sink.out);
  r->consumed = pos;
  r->done = poste_data_decoder_is_done (decoder);
  r->flags = poste_data_decoder_get_flags (decoder);
  r->size = poste_data_decoder_get_size (decoder);
  r->longest = poste_data_decoder_get_longest_line (decoder);
  g_assert_cmpuint (r->size, ==, g_bytes_get_size (r->output));
}

static void
assert_result (const Result         *r,
               const char           *expected,
               gsize                 expected_length,
               gsize                 consumed,
               gboolean              done,
               PosteDataDecoderFlags flags)
{
  gsize n;
  const guint8 *data = g_bytes_get_data (r->output, &n);

  g_assert_cmpmem (data, n, expected, expected_length);
  g_assert_cmpuint (r->consumed, ==, consumed);
  g_assert_cmpint (r->done, ==, done);
  g_assert_cmpuint (r->flags, ==, flags);
}

/* Decodes whole, byte by byte, cut at every single point and at every pair of points: every way
 * must give the same result, the expected one. */
static void
check_all_splits (PosteDataDecoderMode   mode,
                  const char            *input,
                  gsize                  length,
                  const char            *expected,
                  gsize                  expected_length,
                  gsize                  consumed,
                  gboolean               done,
                  PosteDataDecoderFlags  flags)
{
  g_autofree gsize *every = g_new (gsize, length + 1);
  Result r = { 0, };

  decode_cut (mode, (const guint8 *) input, length, NULL, 0, &r);
  assert_result (&r, expected, expected_length, consumed, done, flags);
  result_clear (&r);

  for (gsize i = 0; i <= length; i++)
    every[i] = i;
  decode_cut (mode, (const guint8 *) input, length, every, length + 1, &r);
  assert_result (&r, expected, expected_length, consumed, done, flags);
  result_clear (&r);

  for (gsize i = 0; i <= length; i++)
    for (gsize j = i; j <= length; j++)
      {
        gsize cuts[2] = { i, j };

        decode_cut (mode, (const guint8 *) input, length, cuts, 2, &r);
        assert_result (&r, expected, expected_length, consumed, done, flags);
        result_clear (&r);
      }
}

#define CHECK(mode, in, out, consumed, done, flags) \
  check_all_splits (mode, in, sizeof in - 1, out, sizeof out - 1, consumed, done, flags)

static void
test_simple (void)
{
  CHECK (POSTE_DATA_DECODER_DOT, "Hello\r\n.\r\n", "Hello\r\n", 10, TRUE, 0);
  CHECK (POSTE_DATA_DECODER_DOT, "Subject: x\r\n\r\nbody\r\n.\r\n", "Subject: x\r\n\r\nbody\r\n",
         23, TRUE, 0);
}

static void
test_empty (void)
{
  /* The first line counts as following a CR LF: ". CR LF" at once is an empty message. */
  CHECK (POSTE_DATA_DECODER_DOT, ".\r\n", "", 3, TRUE, 0);
  CHECK (POSTE_DATA_DECODER_DOT, "\r\n.\r\n", "\r\n", 5, TRUE, 0);
}

static void
test_unstuffing (void)
{
  CHECK (POSTE_DATA_DECODER_DOT, "..dot\r\n.\r\n", ".dot\r\n", 10, TRUE, 0);
  CHECK (POSTE_DATA_DECODER_DOT, "a\r\n..\r\n.\r\n", "a\r\n.\r\n", 10, TRUE, 0);
  CHECK (POSTE_DATA_DECODER_DOT, "a\r\n...\r\n.\r\n", "a\r\n..\r\n", 11, TRUE, 0);
  CHECK (POSTE_DATA_DECODER_DOT, "a.\r\n.b\r\n.\r\n", "a.\r\nb\r\n", 11, TRUE, 0);
  /* A dot inside a line is content. */
  CHECK (POSTE_DATA_DECODER_DOT, "x.y\r\n.\r\n", "x.y\r\n", 8, TRUE, 0);
}

static void
test_pipelined_rest (void)
{
  /* Bytes after the end (a pipelined command) are left alone. */
  CHECK (POSTE_DATA_DECODER_DOT, "x\r\n.\r\nQUIT\r\n", "x\r\n", 6, TRUE, 0);
  CHECK (POSTE_DATA_DECODER_DOT, ".\r\n.\r\n", "", 3, TRUE, 0);
}

static void
test_not_an_end (void)
{
  /* "\n.\r\n" is not an end: the LF is bare and the dot is content. */
  CHECK (POSTE_DATA_DECODER_DOT, "a\n.\r\nb\r\n.\r\n", "a\n.\r\nb\r\n", 11, TRUE,
         POSTE_DATA_DECODER_FLAG_BARE_LF);
  /* "\r\n.\n" is not an end: the dot is stuffing, the LF is bare. */
  CHECK (POSTE_DATA_DECODER_DOT, "a\r\n.\nb\r\n.\r\n", "a\r\n\nb\r\n", 11, TRUE,
         POSTE_DATA_DECODER_FLAG_BARE_LF);
  /* Unfinished. */
  CHECK (POSTE_DATA_DECODER_DOT, "abc\r\n.", "abc\r\n", 6, FALSE, 0);
  CHECK (POSTE_DATA_DECODER_DOT, "abc\r\n.\r", "abc\r\n", 7, FALSE, 0);
  CHECK (POSTE_DATA_DECODER_DOT, "abc\r", "abc", 4, FALSE, 0);
}

static void
test_bare_cr_nul (void)
{
  CHECK (POSTE_DATA_DECODER_DOT, "a\rb\r\n.\r\n", "a\rb\r\n", 8, TRUE,
         POSTE_DATA_DECODER_FLAG_BARE_CR);
  CHECK (POSTE_DATA_DECODER_DOT, "a\r\r\n.\r\n", "a\r\r\n", 7, TRUE,
         POSTE_DATA_DECODER_FLAG_BARE_CR);
  CHECK (POSTE_DATA_DECODER_DOT, ".\r.\r\n.\r\n", "\r.\r\n", 8, TRUE,
         POSTE_DATA_DECODER_FLAG_BARE_CR);
  CHECK (POSTE_DATA_DECODER_DOT, "a\0b\r\n.\r\n", "a\0b\r\n", 8, TRUE,
         POSTE_DATA_DECODER_FLAG_NUL);
  CHECK (POSTE_DATA_DECODER_DOT, "\n\r\0\r\n.\r\n", "\n\r\0\r\n", 8, TRUE,
         POSTE_DATA_DECODER_FLAG_BARE_LF | POSTE_DATA_DECODER_FLAG_BARE_CR |
         POSTE_DATA_DECODER_FLAG_NUL);
}

static void
test_raw (void)
{
  CHECK (POSTE_DATA_DECODER_RAW, "a\r\n.\r\nb", "a\r\n.\r\nb", 7, TRUE, 0);
  CHECK (POSTE_DATA_DECODER_RAW, "..x\r\n", "..x\r\n", 5, TRUE, 0);
  /* A CR held at the end of the LAST chunk is bare. */
  CHECK (POSTE_DATA_DECODER_RAW, "a\r", "a\r", 2, TRUE, POSTE_DATA_DECODER_FLAG_BARE_CR);
  CHECK (POSTE_DATA_DECODER_RAW, "a\nb", "a\nb", 3, TRUE, POSTE_DATA_DECODER_FLAG_BARE_LF);
}

static void
test_long_line (void)
{
  g_autoptr(GString) in = g_string_new (NULL);
  g_autoptr(GString) out = g_string_new (NULL);
  Result r = { 0, };

  for (guint i = 0; i < 1500; i++)
    g_string_append_c (out, 'x');
  g_string_append (out, "\r\nshort\r\n");
  g_string_append (in, out->str);
  g_string_append (in, ".\r\n");

  decode_cut (POSTE_DATA_DECODER_DOT, (const guint8 *) in->str, in->len, NULL, 0, &r);
  /* Stored verbatim, never cut, and flagged. */
  assert_result (&r, out->str, out->len, in->len, TRUE, POSTE_DATA_DECODER_FLAG_LONG_LINE);
  g_assert_cmpuint (r.longest, ==, 1500);
  result_clear (&r);

  /* 998 octets exactly is within the limit. */
  g_string_truncate (in, 0);
  for (guint i = 0; i < POSTE_DATA_DECODER_MAX_LINE; i++)
    g_string_append_c (in, 'y');
  g_string_append (in, "\r\n.\r\n");
  decode_cut (POSTE_DATA_DECODER_DOT, (const guint8 *) in->str, in->len, NULL, 0, &r);
  g_assert_cmpuint (r.flags, ==, 0);
  g_assert_cmpuint (r.longest, ==, POSTE_DATA_DECODER_MAX_LINE);
  result_clear (&r);
}

static void
test_large_chunks (void)
{
  g_autoptr(PosteDataDecoder) decoder = poste_data_decoder_new (POSTE_DATA_DECODER_DOT);
  g_autoptr(GString) in = g_string_new (NULL);
  Sink sink = { g_byte_array_new (), 0 };
  gsize used;

  /* 1 MiB of ".line\r\n": every line dot-stuffed. */
  while (in->len < 1024 * 1024)
    g_string_append (in, "..line\r\n");
  g_string_append (in, ".\r\n");

  used = poste_data_decoder_feed (decoder, (const guint8 *) in->str, in->len, sink_cb, &sink);
  g_assert_cmpuint (used, ==, in->len);
  g_assert_true (poste_data_decoder_is_done (decoder));
  g_assert_cmpuint (sink.largest, ==, POSTE_DATA_DECODER_CHUNK);
  g_assert_cmpuint (sink.out->len, ==, (in->len - 3) / 8 * 7);
  for (gsize i = 0; i < sink.out->len; i += 7)
    g_assert_cmpmem (sink.out->data + i, 7, ".line\r\n", 7);
  g_byte_array_unref (sink.out);
}

static void
test_reset (void)
{
  g_autoptr(PosteDataDecoder) decoder = poste_data_decoder_new (POSTE_DATA_DECODER_DOT);
  Sink sink = { g_byte_array_new (), 0 };

  poste_data_decoder_feed (decoder, (const guint8 *) "a\nb\r\n.\r\n", 8, sink_cb, &sink);
  g_assert_true (poste_data_decoder_is_done (decoder));
  g_assert_cmpuint (poste_data_decoder_get_flags (decoder), ==, POSTE_DATA_DECODER_FLAG_BARE_LF);
  poste_data_decoder_reset (decoder);
  g_assert_false (poste_data_decoder_is_done (decoder));
  g_assert_cmpuint (poste_data_decoder_get_flags (decoder), ==, 0);
  g_assert_cmpuint (poste_data_decoder_get_size (decoder), ==, 0);
  g_byte_array_set_size (sink.out, 0);
  poste_data_decoder_feed (decoder, (const guint8 *) "ok\r\n.\r\n", 7, sink_cb, &sink);
  g_assert_cmpmem (sink.out->data, sink.out->len, "ok\r\n", 4);
  g_byte_array_unref (sink.out);
}

int
main (int   argc,
      char *argv[])
{
  poste_test_init (&argc, &argv);

  g_test_add_func ("/data-decoder/simple", test_simple);
  g_test_add_func ("/data-decoder/empty", test_empty);
  g_test_add_func ("/data-decoder/unstuffing", test_unstuffing);
  g_test_add_func ("/data-decoder/pipelined-rest", test_pipelined_rest);
  g_test_add_func ("/data-decoder/not-an-end", test_not_an_end);
  g_test_add_func ("/data-decoder/bare-cr-nul", test_bare_cr_nul);
  g_test_add_func ("/data-decoder/raw", test_raw);
  g_test_add_func ("/data-decoder/long-line", test_long_line);
  g_test_add_func ("/data-decoder/large-chunks", test_large_chunks);
  g_test_add_func ("/data-decoder/reset", test_reset);

  return g_test_run ();
}
