/* fuzz-data-decoder.c: a libFuzzer target for the DATA/BDAT decoder, and its replay driver
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Properties checked on any input:
 *  - decoding whole, byte by byte and cut at two points taken from the input all give the same
 *    output, consumption, flags and end;
 *  - the size reported is the output's length, and the output is never longer than the input;
 *  - in the DATA mode, an end is only ever found right after CR LF . CR LF (or ". CR LF" at the
 *    very start), and bytes after it are not consumed;
 *  - without CR, LF, NUL or a dot at the start of a line, the output is the input unchanged.
 *
 * With -Dfuzzing=true (clang) this builds as a libFuzzer program in the "fuzz" suite; otherwise
 * a driver (POSTE_FUZZ_REPLAY) replays fixed seeds and 20,000 inputs from a fixed random seed in
 * the unit suite.
 */
#include "config.h"

#include <string.h>

#include "poste-data-decoder.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

typedef struct {
  GByteArray            *out;
  gsize                  consumed;
  gboolean               done;
  PosteDataDecoderFlags  flags;
} Run;

static void
collect_cb (const guint8 *data,
            gsize         length,
            gpointer      user_data)
{
  g_assert (length > 0 && length <= POSTE_DATA_DECODER_CHUNK);
  g_byte_array_append (user_data, data, length);
}

static void
decode (PosteDataDecoderMode  mode,
        const guint8         *data,
        gsize                 size,
        gsize                 cut1,
        gsize                 cut2,
        gboolean              bytewise,
        Run                  *run)
{
  PosteDataDecoder *decoder = poste_data_decoder_new (mode);
  gsize pos = 0;

  run->out = g_byte_array_new ();
  while (pos < size && !poste_data_decoder_is_done (decoder))
    {
      gsize end = size;

      if (bytewise)
        end = pos + 1;
      else if (pos < cut1)
        end = cut1;
      else if (pos < cut2)
        end = cut2;
      pos += poste_data_decoder_feed (decoder, data + pos, end - pos, collect_cb, run->out);
    }
  if (mode == POSTE_DATA_DECODER_RAW)
    poste_data_decoder_finish (decoder, collect_cb, run->out);
  run->consumed = pos;
  run->done = poste_data_decoder_is_done (decoder);
  run->flags = poste_data_decoder_get_flags (decoder);
  g_assert (poste_data_decoder_get_size (decoder) == run->out->len);
  poste_data_decoder_free (decoder);
}

static void
same (const Run *a,
      const Run *b)
{
  g_assert (a->out->len == b->out->len);
  g_assert (a->out->len == 0 || memcmp (a->out->data, b->out->data, a->out->len) == 0);
  g_assert (a->consumed == b->consumed);
  g_assert (a->done == b->done);
  g_assert (a->flags == b->flags);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  PosteDataDecoderMode mode;
  gsize cut1, cut2;
  Run whole, bytes, cut;
  gboolean plain = TRUE;

  if (size < 3)
    return 0;
  mode = data[0] & 1 ? POSTE_DATA_DECODER_RAW : POSTE_DATA_DECODER_DOT;
  cut1 = data[1];
  cut2 = cut1 + data[2];
  data += 3;
  size -= 3;
  cut1 = MIN (cut1, size);
  cut2 = MIN (cut2, size);

  decode (mode, data, size, 0, 0, FALSE, &whole);
  decode (mode, data, size, 0, 0, TRUE, &bytes);
  decode (mode, data, size, cut1, cut2, FALSE, &cut);
  same (&whole, &bytes);
  same (&whole, &cut);

  g_assert (whole.out->len <= whole.consumed);
  if (mode == POSTE_DATA_DECODER_DOT && whole.done)
    {
      g_assert (whole.consumed >= 3);
      g_assert (memcmp (data + whole.consumed - 3, ".\r\n", 3) == 0);
      g_assert (whole.consumed == 3 ||
                (whole.consumed >= 5 && memcmp (data + whole.consumed - 5, "\r\n", 2) == 0));
    }
  if (mode == POSTE_DATA_DECODER_RAW)
    g_assert (whole.consumed == size && whole.done);

  for (gsize i = 0; i < size; i++)
    if (data[i] == '\r' || data[i] == '\n' || data[i] == '\0' || (i == 0 && data[i] == '.'))
      plain = FALSE;
  if (plain)
    {
      g_assert (whole.out->len == size);
      g_assert (size == 0 || memcmp (whole.out->data, data, size) == 0);
      g_assert (whole.flags == 0 || whole.flags == POSTE_DATA_DECODER_FLAG_LONG_LINE);
    }

  g_byte_array_unref (whole.out);
  g_byte_array_unref (bytes.out);
  g_byte_array_unref (cut.out);
  return 0;
}

#ifdef POSTE_FUZZ_REPLAY
#include "poste-test.h"

static void
test_seeds (void)
{
  static const char *const seeds[] = {
    "\0\5\5Hello\r\n.\r\n",
    "\0\1\1.\r\n",
    "\0\2\2a\n.\r\nb\r\n.\r\n",
    "\0\3\1a\r\n.\nb\r\n.\r\nQUIT\r\n",
    "\1\2\2a\r",
    "\0\4\4..x\r\n\r.\r\n.\r\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (seeds); i++)
    LLVMFuzzerTestOneInput ((const guint8 *) seeds[i], 3 + strlen (seeds[i] + 3));
}

static void
test_random (void)
{
  /* Inputs from a small alphabet, so that line ends and dots are frequent. */
  static const guint8 alphabet[] = { '\r', '\n', '.', 'a', '\0', ' ' };
  guint8 buffer[64];

  for (guint n = 0; n < 20000; n++)
    {
      gsize size = 3 + g_test_rand_int_range (0, sizeof buffer - 3);

      buffer[0] = g_test_rand_int_range (0, 2);
      buffer[1] = g_test_rand_int_range (0, 64);
      buffer[2] = g_test_rand_int_range (0, 64);
      for (gsize i = 3; i < size; i++)
        buffer[i] = alphabet[g_test_rand_int_range (0, G_N_ELEMENTS (alphabet))];
      LLVMFuzzerTestOneInput (buffer, size);
    }
}

int
main (int   argc,
      char *argv[])
{
  poste_test_init (&argc, &argv);

  g_test_add_func ("/fuzz-data-decoder/seeds", test_seeds);
  g_test_add_func ("/fuzz-data-decoder/random", test_random);

  return g_test_run ();
}
#endif
