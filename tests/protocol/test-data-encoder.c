/* test-data-encoder.c: the message body as it goes to another SMTP server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The encoder is the decoder's mirror, so besides a table of exact outputs the strongest check
 * is the round trip: whatever we store, encoding it for DATA and decoding that as our own server
 * would gives back the stored bytes with only the stated line-end repair applied, whatever the
 * chunking.
 */
#include "config.h"

#include <string.h>

#include "poste-data-decoder.h"
#include "poste-data-encoder.h"

typedef struct {
  const char           *name;
  PosteDataEncoderMode  mode;
  const char           *input;
  const char           *expected;
} Case;

static const Case cases[] = {
  { "empty-dot",       POSTE_DATA_ENCODER_DOT, "",                 ".\r\n" },
  { "empty-raw",       POSTE_DATA_ENCODER_RAW, "",                 "" },
  { "crlf-kept",       POSTE_DATA_ENCODER_DOT, "a\r\nb\r\n",       "a\r\nb\r\n.\r\n" },
  { "final-line-end",  POSTE_DATA_ENCODER_DOT, "a\r\nb",           "a\r\nb\r\n.\r\n" },
  { "bare-lf",         POSTE_DATA_ENCODER_DOT, "a\nb\n",           "a\r\nb\r\n.\r\n" },
  { "bare-cr",         POSTE_DATA_ENCODER_DOT, "a\rb\r",           "a\r\nb\r\n.\r\n" },
  { "cr-cr-lf",        POSTE_DATA_ENCODER_DOT, "a\r\r\nb\r\n",     "a\r\n\r\nb\r\n.\r\n" },
  { "lf-cr",           POSTE_DATA_ENCODER_DOT, "a\n\rb",           "a\r\n\r\nb\r\n.\r\n" },
  { "dot-stuffed",     POSTE_DATA_ENCODER_DOT, ".a\r\n..\r\n.\r\nb.\r\n",
                                               "..a\r\n...\r\n..\r\nb.\r\n.\r\n" },
  { "dot-after-bare",  POSTE_DATA_ENCODER_DOT, "a\r.\n.",          "a\r\n..\r\n..\r\n.\r\n" },
  { "raw-no-stuffing", POSTE_DATA_ENCODER_RAW, ".a\n.\r",          ".a\r\n.\r\n" },
  { "smuggling",       POSTE_DATA_ENCODER_DOT, "x\n.\nMAIL FROM:<a@b>\r\n",
                                               "x\r\n..\r\nMAIL FROM:<a@b>\r\n.\r\n" },
};

static GByteArray *
encode (PosteDataEncoderMode  mode,
        const guint8         *data,
        gsize                 length,
        gsize                 step)
{
  g_autoptr(PosteDataEncoder) encoder = poste_data_encoder_new (mode);
  GByteArray *out = g_byte_array_new ();

  for (gsize i = 0; i < length; i += step)
    poste_data_encoder_feed (encoder, data + i, MIN (step, length - i), out);
  poste_data_encoder_finish (encoder, out);
  return out;
}

static void
test_case (gconstpointer data)
{
  const Case *c = data;
  gsize length = strlen (c->input);

  /* The same output whole, byte by byte and in pairs: no state is lost between calls. */
  for (gsize step = 1; step <= MAX (length, 1); step = step == 1 ? 2 : step * 4)
    {
      g_autoptr(GByteArray) out = encode (c->mode, (const guint8 *) c->input, length, step);

      g_assert_cmpmem (out->data, out->len, c->expected, strlen (c->expected));
    }
  {
    g_autoptr(GByteArray) whole = encode (c->mode, (const guint8 *) c->input, length,
                                          MAX (length, 1));

    g_assert_cmpmem (whole->data, whole->len, c->expected, strlen (c->expected));
  }
}

static void
test_size (void)
{
  g_autoptr(PosteDataEncoder) encoder = poste_data_encoder_new (POSTE_DATA_ENCODER_DOT);
  g_autoptr(GByteArray) out = g_byte_array_new ();

  poste_data_encoder_feed (encoder, (const guint8 *) ".a\nb", 4, out);
  poste_data_encoder_finish (encoder, out);
  /* ".a\r\nb\r\n": the stuffed dot and the terminator are not the message's. */
  g_assert_cmpuint (poste_data_encoder_get_size (encoder), ==, 7);

  poste_data_encoder_reset (encoder);
  g_assert_cmpuint (poste_data_encoder_get_size (encoder), ==, 0);
  g_byte_array_set_size (out, 0);
  poste_data_encoder_feed (encoder, (const guint8 *) ".", 1, out);
  poste_data_encoder_finish (encoder, out);
  g_assert_cmpmem (out->data, out->len, "..\r\n.\r\n", 7);
}

static void
collect (const guint8 *data,
         gsize         length,
         gpointer      user_data)
{
  g_byte_array_append (user_data, data, (guint) length);
}

/* What the stated policy makes of stored bytes: each bare CR or LF a CR LF, a final CR LF. */
static GByteArray *
repaired (const guint8 *data,
          gsize         length)
{
  GByteArray *out = g_byte_array_new ();

  for (gsize i = 0; i < length; i++)
    {
      if (data[i] == '\r')
        {
          g_byte_array_append (out, (const guint8 *) "\r\n", 2);
          if (i + 1 < length && data[i + 1] == '\n')
            i++;
        }
      else if (data[i] == '\n')
        g_byte_array_append (out, (const guint8 *) "\r\n", 2);
      else
        g_byte_array_append (out, data + i, 1);
    }
  if (out->len > 0 && (out->len < 2 || out->data[out->len - 1] != '\n'))
    g_byte_array_append (out, (const guint8 *) "\r\n", 2);
  return out;
}

static void
test_round_trip (void)
{
  static const guint8 alphabet[] = { 'a', '.', '\r', '\n', ' ', 0xc3 };
  GRand *rand = g_rand_new_with_seed (20261207);

  for (guint n = 0; n < 2000; n++)
    {
      gsize length = g_rand_int_range (rand, 0, 200);
      g_autofree guint8 *input = g_malloc (length + 1);
      g_autoptr(GByteArray) wire = NULL;
      g_autoptr(GByteArray) expected = NULL;
      g_autoptr(GByteArray) decoded = g_byte_array_new ();
      g_autoptr(PosteDataDecoder) decoder = poste_data_decoder_new (POSTE_DATA_DECODER_DOT);
      gsize used;

      for (gsize i = 0; i < length; i++)
        input[i] = alphabet[g_rand_int_range (rand, 0, G_N_ELEMENTS (alphabet))];
      wire = encode (POSTE_DATA_ENCODER_DOT, input, length,
                     (gsize) g_rand_int_range (rand, 1, 40));
      used = poste_data_decoder_feed (decoder, wire->data, wire->len, collect, decoded);

      /* The decoder finds the end exactly where the encoder put it, and nothing bare. */
      g_assert_true (poste_data_decoder_is_done (decoder));
      g_assert_cmpuint (used, ==, wire->len);
      g_assert_cmpint (poste_data_decoder_get_flags (decoder) &
                       (POSTE_DATA_DECODER_FLAG_BARE_CR | POSTE_DATA_DECODER_FLAG_BARE_LF), ==, 0);
      expected = repaired (input, length);
      g_assert_cmpmem (decoded->data, decoded->len, expected->data, expected->len);
    }
  g_rand_free (rand);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/data-encoder/%s", cases[i].name);

      g_test_add_data_func (path, &cases[i], test_case);
    }
  g_test_add_func ("/data-encoder/size", test_size);
  g_test_add_func ("/data-encoder/round-trip", test_round_trip);
  return g_test_run ();
}
