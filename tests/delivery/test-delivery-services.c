/* test-delivery-services.c: delivery into real Postfix, Dovecot LMTP and procmail
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each service is an instance of its own on 127.0.0.1 (tests/common/poste-test-services.c).
 * A message must land byte for byte as it was written, apart from the trace headers the
 * service puts on top (Return-Path:, Delivered-To:, X-Original-To:, Postfix's Received:) and,
 * in a Maildir, CR LF stored as LF.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "test-delivery-common.h"

static PosteTestMailServices services;

/* 8-bit text, dots, "From " lines, a 998-octet line: everything a relay could get wrong. */
static char *
make_message (const char *tag)
{
  g_autofree char *long_line = g_strnfill (998, 'y');

  return g_strdup_printf (
    "Received: from provider.example by poste-restante.test (Poste Restante) with ESMTPS;\r\n"
    "\tSun, 29 Nov 2026 12:00:00 +0000\r\n"
    "Date: Sun, 29 Nov 2026 11:59:00 +0000\r\n"
    "Message-ID: <%s@poste-test.example>\r\n"
    "From: Sender <sender@provider.example>\r\n"
    "To: alice@" POSTE_TEST_MAIL_DOMAIN "\r\n"
    "Subject: %s\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 8bit\r\n"
    "\r\n"
    "From the first line of the body\r\n"
    ">From a quoted one\r\n"
    ".\r\n"
    "..\r\n"
    ".leading dot\r\n"
    "caf\xc3\xa9 cr\xc3\xa8me br\xc3\xbbl\xc3\xa9\x65\r\n"
    "%s\r\n"
    "\r\n"
    "last line\r\n", tag, tag, long_line);
}

/* Whether @stored is trace header lines the service adds, then exactly @wire in Unix form. */
static gboolean
landed (GBytes     *stored,
        const char *wire,
        gboolean    verbose)
{
  g_autoptr(GBytes) expected = to_unix (wire, strlen (wire));
  gsize length;
  gsize expected_length;
  const char *data = g_bytes_get_data (stored, &length);
  const char *want = g_bytes_get_data (expected, &expected_length);
  g_autofree char *prefix = NULL;
  g_auto(GStrv) lines = NULL;

  if (length < expected_length ||
      memcmp (data + length - expected_length, want, expected_length) != 0)
    return FALSE;

  prefix = g_strndup (data, length - expected_length);
  lines = g_strsplit (prefix, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      if (*line == '\0' && lines[i + 1] == NULL)
        break;
      if (verbose)
        g_test_message ("trace: %s", line);
      if (!g_str_has_prefix (line, "Return-Path: ") &&
          !g_str_has_prefix (line, "Delivered-To: ") &&
          !g_str_has_prefix (line, "X-Original-To: ") &&
          !g_str_has_prefix (line, "Received: ") &&
          !(i > 0 && (line[0] == '\t' || line[0] == ' ')))
        return FALSE;
    }
  return TRUE;
}

static void
assert_landed (GBytes     *stored,
               const char *wire)
{
  if (!landed (stored, wire, TRUE))
    {
      g_autoptr(GBytes) expected = to_unix (wire, strlen (wire));

      assert_bytes_equal (stored, g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));
      g_assert_not_reached ();
    }
}

/* How many of @messages are @wire, landed whole. Maildir names do not sort by time within one
 * second, so tests count instead of picking the last. */
static guint
count_landed (GPtrArray  *messages,
              const char *wire)
{
  guint count = 0;

  for (guint i = 0; i < messages->len; i++)
    if (landed (g_ptr_array_index (messages, i), wire, FALSE))
      count++;
  return count;
}

static gboolean
need_postfix (void)
{
  if (services.postfix != NULL)
    return TRUE;
  poste_test_missing (services.postfix_failure);
  return FALSE;
}

static gboolean
need_dovecot (void)
{
  if (services.dovecot != NULL)
    return TRUE;
  poste_test_missing (services.dovecot_failure);
  return FALSE;
}

static PosteDelivery *
target_new (const char *format,
            ...) G_GNUC_PRINTF (1, 2);

static PosteDelivery *
target_new (const char *format,
            ...)
{
  g_autofree char *spec = NULL;
  g_autoptr(GError) error = NULL;
  PosteDelivery *delivery;
  va_list ap;

  va_start (ap, format);
  spec = g_strdup_vprintf (format, ap);
  va_end (ap);
  delivery = poste_delivery_new_for_target (spec, &error);
  g_assert_no_error (error);
  return delivery;
}

static void
write_all (PosteDelivery *delivery,
           const char    *message,
           gsize          chunk)
{
  gsize length = strlen (message);

  for (gsize offset = 0; offset < length; offset += chunk)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (poste_delivery_write (delivery, (const guint8 *) message + offset,
                                           MIN (chunk, length - offset), NULL, &error));
      g_assert_no_error (error);
    }
}

/* --- Postfix over SMTP -------------------------------------------------------------------- */

static void
test_postfix_relay (void)
{
  g_autoptr(PosteDelivery) delivery = NULL;
  g_autofree char *message = make_message ("postfix-1");
  g_autofree char *second = make_message ("postfix-2");
  g_autofree char *alice = NULL;
  g_autofree char *bob = NULL;
  g_autofree char *carol = NULL;

  if (!need_postfix ())
    return;
  delivery = target_new ("smtp://127.0.0.1:%u", services.postfix_port);
  alice = poste_test_service_maildir (services.postfix, "alice");
  bob = poste_test_service_maildir (services.postfix, "bob");
  carol = poste_test_service_maildir (services.postfix, "carol");

  g_assert_cmpint (poste_delivery_get_flags (delivery) & POSTE_DELIVERY_FLAGS_8BITMIME, !=, 0);
  g_assert_cmpint (poste_delivery_get_flags (delivery) & POSTE_DELIVERY_FLAGS_SMTPUTF8, !=, 0);

  /* One transaction, three recipients; Postfix's verdict on each passes through. */
  {
    g_autoptr(PosteEnvelope) envelope = poste_envelope_new ("sender@provider.example");
    g_autoptr(PosteReply) begin = NULL;
    g_autoptr(PosteReply) r1 = NULL;
    g_autoptr(PosteReply) r2 = NULL;
    g_autoptr(PosteReply) r3 = NULL;
    g_autoptr(PosteReply) commit = NULL;

    envelope->body_8bit = TRUE;
    envelope->declared_size = strlen (message);
    begin = poste_delivery_begin (delivery, envelope, NULL);
    g_assert_cmpuint (begin->code, ==, 250);
    r1 = poste_delivery_add_recipient (delivery, envelope, "alice@" POSTE_TEST_MAIL_DOMAIN, NULL);
    g_assert_cmpuint (r1->code, ==, 250);
    g_ptr_array_add (envelope->recipients, g_strdup ("alice@" POSTE_TEST_MAIL_DOMAIN));
    r2 = poste_delivery_add_recipient (delivery, envelope, "nobody@" POSTE_TEST_MAIL_DOMAIN, NULL);
    g_assert_cmpuint (r2->code, ==, 550);
    g_assert_cmpstr (r2->enhanced, ==, "5.1.1");
    r3 = poste_delivery_add_recipient (delivery, envelope, "bob@" POSTE_TEST_MAIL_DOMAIN, NULL);
    g_assert_cmpuint (r3->code, ==, 250);
    write_all (delivery, message, 13);
    commit = poste_delivery_commit (delivery, NULL);
    g_assert_cmpuint (commit->code, ==, 250);
    /* Postfix's own reply, not one of ours. */
    g_assert_true (g_str_has_prefix (commit->lines[0], "Ok: queued as "));
  }

  /* A second transaction over the same connection. */
  {
    g_autoptr(PosteReply) reply = deliver (delivery, "", "carol@" POSTE_TEST_MAIL_DOMAIN, second);

    g_assert_true (poste_smtp_delivery_is_connected (POSTE_SMTP_DELIVERY (delivery)));
    g_assert_cmpuint (reply->code, ==, 250);
  }
  poste_delivery_close (delivery);
  g_assert_false (poste_smtp_delivery_is_connected (POSTE_SMTP_DELIVERY (delivery)));

  if (!poste_test_maildir_wait (alice, 1, 30) || !poste_test_maildir_wait (bob, 1, 30) ||
      !poste_test_maildir_wait (carol, 1, 30))
    {
      g_autofree char *log = poste_test_service_log (services.postfix);

      g_test_message ("%s", log);
      g_assert_not_reached ();
    }
  {
    g_autoptr(GPtrArray) a = poste_test_maildir_read (alice);
    g_autoptr(GPtrArray) b = poste_test_maildir_read (bob);
    g_autoptr(GPtrArray) c = poste_test_maildir_read (carol);

    g_assert_cmpuint (a->len, ==, 1);
    g_assert_cmpuint (b->len, ==, 1);
    g_assert_cmpuint (c->len, ==, 1);
    assert_landed (g_ptr_array_index (a, 0), message);
    assert_landed (g_ptr_array_index (b, 0), message);
    assert_landed (g_ptr_array_index (c, 0), second);
  }
}

static void
test_postfix_refused_only (void)
{
  g_autoptr(PosteDelivery) delivery = NULL;
  g_autoptr(PosteEnvelope) envelope = poste_envelope_new ("sender@provider.example");
  g_autoptr(PosteReply) begin = NULL;
  g_autoptr(PosteReply) rcpt = NULL;
  g_autoptr(PosteReply) commit = NULL;
  g_autoptr(GError) error = NULL;

  if (!need_postfix ())
    return;
  delivery = target_new ("smtp://127.0.0.1:%u", services.postfix_port);
  begin = poste_delivery_begin (delivery, envelope, NULL);
  g_assert_cmpuint (begin->code, ==, 250);
  rcpt = poste_delivery_add_recipient (delivery, envelope, "nobody@" POSTE_TEST_MAIL_DOMAIN, NULL);
  g_assert_cmpuint (rcpt->code, ==, 550);
  /* No recipient: the session would not send DATA; a target that is asked anyway refuses. */
  g_assert_false (poste_delivery_write (delivery, (const guint8 *) "x\r\n", 3, NULL, &error));
  g_assert_error (error, POSTE_DELIVERY_ERROR, POSTE_DELIVERY_ERROR_PERMANENT);
  commit = poste_delivery_commit (delivery, NULL);
  g_assert_cmpuint (commit->code / 100, ==, 5);
  poste_delivery_close (delivery);
}

/* The local MTA's process dies: 4xx for the transaction in flight, then a new connection. */
static void
test_postfix_connection_lost (void)
{
  g_autoptr(PosteDelivery) delivery = NULL;
  g_autofree char *message = make_message ("postfix-lost");
  g_autofree char *bob = NULL;
  guint before;

  if (!need_postfix ())
    return;
  delivery = target_new ("smtp://127.0.0.1:%u", services.postfix_port);
  bob = poste_test_service_maildir (services.postfix, "bob");
  {
    g_autoptr(GPtrArray) b = poste_test_maildir_read (bob);
    before = b->len;
  }

  /* In the middle of a transaction. */
  {
    g_autoptr(PosteEnvelope) envelope = poste_envelope_new ("sender@provider.example");
    g_autoptr(PosteReply) begin = poste_delivery_begin (delivery, envelope, NULL);
    g_autoptr(PosteReply) rcpt = NULL;
    g_autoptr(PosteReply) commit = NULL;
    g_autoptr(GError) error = NULL;
    gsize length = strlen (message);

    g_assert_cmpuint (begin->code, ==, 250);
    rcpt = poste_delivery_add_recipient (delivery, envelope, "bob@" POSTE_TEST_MAIL_DOMAIN, NULL);
    g_assert_cmpuint (rcpt->code, ==, 250);
    g_assert_true (poste_delivery_write (delivery, (const guint8 *) message, length / 2, NULL,
                                         &error));
    g_assert_cmpuint (poste_test_postfix_kill_smtpd (services.postfix), >=, 1);
    if (poste_delivery_write (delivery, (const guint8 *) message + length / 2,
                              length - length / 2, NULL, &error))
      commit = poste_delivery_commit (delivery, NULL);
    else
      {
        g_assert_error (error, POSTE_DELIVERY_ERROR, POSTE_DELIVERY_ERROR_TEMPORARY);
        commit = poste_delivery_commit (delivery, NULL);
      }
    g_assert_cmpuint (commit->code, ==, 451);
    g_assert_cmpstr (commit->enhanced, ==, "4.4.2");
  }

  /* The next transaction connects again and goes through. */
  {
    g_autoptr(PosteReply) reply = deliver (delivery, "sender@provider.example",
                                           "bob@" POSTE_TEST_MAIL_DOMAIN, message);

    g_assert_cmpuint (reply->code, ==, 250);
  }

  /* Killed while idle between transactions: the next begin notices and reconnects. */
  g_assert_cmpuint (poste_test_postfix_kill_smtpd (services.postfix), >=, 1);
  {
    g_autoptr(PosteReply) reply = deliver (delivery, "sender@provider.example",
                                           "bob@" POSTE_TEST_MAIL_DOMAIN, message);

    g_assert_cmpuint (reply->code, ==, 250);
  }
  poste_delivery_close (delivery);

  /* Exactly the two acknowledged copies, whole. */
  g_assert_true (poste_test_maildir_wait (bob, before + 2, 30));
  /* A third copy, if any, would still be in Postfix's queue: wait until it holds nothing. */
  g_assert_true (poste_test_postfix_wait_idle (services.postfix, 30));
  {
    g_autoptr(GPtrArray) b = poste_test_maildir_read (bob);

    g_assert_cmpuint (b->len, ==, before + 2);
    g_assert_cmpuint (count_landed (b, message), ==, 2);
  }
}

static void
test_mta_down (void)
{
  guint16 port = poste_test_free_port ();
  g_autoptr(PosteDelivery) delivery = target_new ("smtp://127.0.0.1:%u", port);
  g_autoptr(PosteDelivery) lmtp = target_new ("lmtp://127.0.0.1:%u", port);
  g_autofree char *dir = poste_test_make_dir ("down");
  g_autoptr(PosteDelivery) socket = target_new ("lmtp:%s/no-such-socket", dir);
  PosteDelivery *targets[] = { delivery, lmtp, socket };

  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    {
      g_autoptr(PosteEnvelope) envelope = poste_envelope_new ("s@provider.example");
      g_autoptr(PosteReply) reply = poste_delivery_begin (targets[i], envelope, NULL);

      g_assert_cmpuint (reply->code, ==, 451);
      g_assert_cmpstr (reply->enhanced, ==, "4.4.1");
      g_assert_cmpint (poste_delivery_get_flags (targets[i]), ==, POSTE_DELIVERY_FLAGS_NONE);
      poste_delivery_close (targets[i]);
    }
}

/* --- Dovecot over LMTP -------------------------------------------------------------------- */

static void
run_lmtp (PosteDelivery *delivery,
          const char    *tag)
{
  g_autofree char *message = make_message (tag);
  g_autofree char *alice = poste_test_service_maildir (services.dovecot, "alice");
  g_autofree char *bob = poste_test_service_maildir (services.dovecot, "bob");
  guint alice_before;
  guint bob_before;
  g_autoptr(PosteEnvelope) envelope = poste_envelope_new ("sender@provider.example");
  g_autoptr(PosteReply) begin = NULL;
  g_autoptr(PosteReply) unknown = NULL;
  g_autoptr(PosteReply) first = NULL;
  g_autoptr(PosteReply) second = NULL;
  g_autoptr(PosteReply) commit = NULL;

  {
    g_autoptr(GPtrArray) a = poste_test_maildir_read (alice);
    g_autoptr(GPtrArray) b = poste_test_maildir_read (bob);

    alice_before = a->len;
    bob_before = b->len;
  }
  g_assert_cmpuint (poste_delivery_get_max_recipients (delivery), ==, 1);

  envelope->body_8bit = TRUE;
  begin = poste_delivery_begin (delivery, envelope, NULL);
  g_assert_cmpuint (begin->code, ==, 250);
  unknown = poste_delivery_add_recipient (delivery, envelope, "nobody@" POSTE_TEST_MAIL_DOMAIN,
                                          NULL);
  g_assert_cmpuint (unknown->code, ==, 550);
  g_assert_cmpstr (unknown->enhanced, ==, "5.1.1");
  first = poste_delivery_add_recipient (delivery, envelope, "alice@" POSTE_TEST_MAIL_DOMAIN, NULL);
  g_assert_cmpuint (first->code, ==, 250);
  g_ptr_array_add (envelope->recipients, g_strdup ("alice@" POSTE_TEST_MAIL_DOMAIN));
  second = poste_delivery_add_recipient (delivery, envelope, "bob@" POSTE_TEST_MAIL_DOMAIN, NULL);
  g_assert_cmpuint (second->code, ==, 452);
  g_assert_cmpstr (second->enhanced, ==, "4.5.3");
  write_all (delivery, message, 4096);
  commit = poste_delivery_commit (delivery, NULL);
  g_assert_cmpuint (commit->code, ==, 250);
  /* Dovecot's own reply for alice. */
  g_assert_nonnull (strstr (commit->lines[0], "Saved"));

  /* bob, in the next transaction, as the provider would resend. */
  {
    g_autoptr(PosteReply) again = deliver (delivery, "sender@provider.example",
                                           "bob@" POSTE_TEST_MAIL_DOMAIN, message);

    g_assert_cmpuint (again->code, ==, 250);
  }
  poste_delivery_close (delivery);

  {
    g_autoptr(GPtrArray) a = poste_test_maildir_read (alice);
    g_autoptr(GPtrArray) b = poste_test_maildir_read (bob);

    g_assert_cmpuint (a->len, ==, alice_before + 1);
    g_assert_cmpuint (b->len, ==, bob_before + 1);
    g_assert_cmpuint (count_landed (a, message), ==, 1);
    g_assert_cmpuint (count_landed (b, message), ==, 1);
  }
}

static void
test_dovecot_lmtp_tcp (void)
{
  g_autoptr(PosteDelivery) delivery = NULL;

  if (!need_dovecot ())
    return;
  delivery = target_new ("lmtp://127.0.0.1:%u", services.dovecot_port);
  run_lmtp (delivery, "lmtp-tcp");
}

static void
test_dovecot_lmtp_unix (void)
{
  g_autoptr(PosteDelivery) delivery = NULL;

  if (!need_dovecot ())
    return;
  delivery = target_new ("lmtp:%s", services.dovecot_socket);
  run_lmtp (delivery, "lmtp-unix");
}

/* --- procmail as the MDA ------------------------------------------------------------------ */

static void
test_procmail (void)
{
  g_autofree char *dir = poste_test_make_dir ("procmail");
  g_autofree char *maildir = g_build_filename (dir, "Maildir", NULL);
  g_autofree char *rc = g_build_filename (dir, "procmailrc", NULL);
  g_autofree char *tempfail_rc = g_build_filename (dir, "tempfail.rc", NULL);
  g_autofree char *rc_text = g_strdup_printf ("DEFAULT=%s/\nLOGFILE=%s/procmail.log\n:0\n%s/\n",
                                              maildir, dir, maildir);
  g_autofree char *message = make_message ("procmail");
  g_autoptr(PosteDelivery) delivery = NULL;
  g_autoptr(PosteDelivery) tempfail = NULL;

  if (!g_file_test ("/usr/bin/procmail", G_FILE_TEST_IS_EXECUTABLE))
    {
      poste_test_missing ("procmail is not installed (/usr/bin/procmail)");
      return;
    }
  g_assert_true (g_file_set_contents (rc, rc_text, -1, NULL));
  g_assert_true (g_file_set_contents (tempfail_rc, "EXITCODE=75\n:0\n/dev/null\n", -1, NULL));

  delivery = target_new ("mda:/usr/bin/procmail -f %%F -m '%s' %%T", rc);
  g_assert_cmpuint (poste_delivery_get_max_recipients (delivery), ==, 1);
  {
    g_autoptr(PosteReply) reply = deliver (delivery, "sender@provider.example",
                                           "alice@" POSTE_TEST_MAIL_DOMAIN, message);
    g_autoptr(GPtrArray) stored = poste_test_maildir_read (maildir);

    g_assert_cmpuint (reply->code, ==, 250);
    g_assert_cmpuint (stored->len, ==, 1);
    assert_landed (g_ptr_array_index (stored, 0), message);
  }

  /* procmail ending with EX_TEMPFAIL: 451, and nothing more stored. */
  tempfail = target_new ("mda:/usr/bin/procmail -m '%s'", tempfail_rc);
  {
    g_autoptr(PosteReply) reply = deliver (tempfail, "sender@provider.example",
                                           "alice@" POSTE_TEST_MAIL_DOMAIN, message);
    g_autoptr(GPtrArray) stored = poste_test_maildir_read (maildir);

    g_assert_cmpuint (reply->code, ==, 451);
    g_assert_cmpstr (reply->enhanced, ==, "4.3.0");
    g_assert_cmpuint (stored->len, ==, 1);
  }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  poste_test_init (&argc, &argv);

  poste_test_mail_services_start (&services);

  g_test_add_func ("/delivery/postfix/relay", test_postfix_relay);
  g_test_add_func ("/delivery/postfix/refused-only", test_postfix_refused_only);
  g_test_add_func ("/delivery/postfix/connection-lost", test_postfix_connection_lost);
  g_test_add_func ("/delivery/smtp/mta-down", test_mta_down);
  g_test_add_func ("/delivery/dovecot/lmtp-tcp", test_dovecot_lmtp_tcp);
  g_test_add_func ("/delivery/dovecot/lmtp-unix", test_dovecot_lmtp_unix);
  g_test_add_func ("/delivery/procmail", test_procmail);

  status = g_test_run ();

  poste_test_mail_services_stop (&services);
  return status;
}
