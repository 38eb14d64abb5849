/* test-provider.c: the test provider against a raw client written here
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The client (test-provider-client.c) speaks plain lines through PosteConnection (bounded, with
 * deadlines) and, in the reversed state, plays a minimal SMTP server that records what the
 * provider delivers. This file holds the greeting, ATRN and the turn-around, and registers every
 * case; AUTH, TLS and the faults are in test-provider-auth.c, -tls.c and -faults.c. The
 * provider is checked against the RFCs it implements: RFC 5321 (replies, dot-stuffing), RFC 2195
 * (the CRAM-MD5 example), RFC 4954 (AUTH), RFC 3207 (STARTTLS), RFC 2645 (ATRN).
 */
#include "config.h"

#include "test-provider.h"

static void
test_greeting_ehlo (void)
{
  g_autoptr(PosteTestProvider) p = provider_new (NULL);
  g_autoptr(Client) c = start_and_connect (p);
  g_autoptr(PosteReply) ehlo = NULL;
  const char *mechs = NULL;
  g_autofree char *transcript = NULL;

  client_send (c, "EHLO customer.test");
  ehlo = client_expect (c, 250);
  g_assert_true (poste_reply_has_keyword (ehlo, "ATRN", NULL));
  g_assert_true (poste_reply_has_keyword (ehlo, "AUTH", &mechs));
  g_assert_nonnull (strstr (mechs, "CRAM-MD5"));
  g_assert_nonnull (strstr (mechs, "SCRAM-SHA-256"));
  g_assert_null (strstr (mechs, "PLAIN"));   /* RFC 4954 section 4: not without TLS */
  g_assert_false (poste_reply_has_keyword (ehlo, "STARTTLS", NULL));
  client_command (c, "MAIL FROM:<a@b>", 502);
  client_command (c, "NOOP", 250);
  client_command (c, "QUIT", 221);
  g_assert_true (poste_test_provider_wait_sessions (p, 1, TIMEOUT));
  transcript = poste_test_provider_dup_transcript (p);
  g_assert_nonnull (strstr (transcript, "C: EHLO customer.test\n"));
  g_assert_nonnull (strstr (transcript, "S: 221 2.0.0 Bye\n"));
}

/* RFC 2645 section 5.2.1: every ATRN reply, a fresh provider per case. */
static void
test_atrn_codes (void)
{
  struct { const char *faults; const char *args; guint code; guint lines; } cases[] = {
    { NULL, "ATRN example.net", 450, 1 },            /* not the account's domain */
    { NULL, "ATRN example.org,example.net", 450, 1 },
    { NULL, "ATRN example.com", 453, 1 },            /* nothing spooled there */
    { "atrn-reply=451", "ATRN", 451, 1 },
    { "atrn-reply=502:No_ODMR_here", "ATRN", 502, 1 },
    { "atrn-reply=450", "ATRN", 450, 1 },
    { "atrn-reply=530", "ATRN", 530, 1 },
    { "atrn-multiline", "ATRN example.com", 453, 2 },
    { "atrn-multiline atrn-reply=451:later", "ATRN", 451, 2 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PosteTestProvider) p = provider_new (cases[i].faults);
      g_autoptr(Client) c = NULL;
      g_autoptr(PosteReply) reply = NULL;

      poste_test_provider_add_message (p, "s@example.net", org_rcpt, "Subject: x\n\nx\n", -1);
      c = start_and_connect (p);
      client_command (c, "EHLO customer.test", 250);
      client_command (c, "ATRN", 530);      /* RFC 2645: AUTH first */
      auth_cram (c);
      client_send (c, cases[i].args);
      reply = client_expect (c, cases[i].code);
      g_assert_cmpuint (g_strv_length (reply->lines), ==, cases[i].lines);
      client_command (c, "QUIT", 221);
      g_assert_cmpuint (poste_test_provider_count_spooled (p), ==, 1);
    }
}

/* The turn-around: every message for the requested domain arrives unstuffed and intact, the rest
 * stays in the spool, and the accepted list matches. */
static void
test_turnaround (gconstpointer data)
{
  const char *faults = data;
  g_autoptr(PosteTestProvider) p = provider_new (faults);
  g_autoptr(GPtrArray) accepted = NULL;
  const char *com_rcpt[] = { "carol@example.com", NULL };
  Customer k;

  customer_init (&k);
  k.pipelining = TRUE;
  k.chunking = TRUE;
  poste_test_provider_add_message (p, "s@example.net", org_rcpt,
                                   "Subject: one\n\n.starts with a dot\n..two\n.\nend\n", -1);
  poste_test_provider_add_message (p, "", com_rcpt, "Subject: not asked for\n\nx\n", -1);
  poste_test_provider_add_message (p, "t@example.net", org_rcpt, "Subject: two\r\n\r\nno end", -1);
  fetch (p, &k);

  g_assert_false (k.closed_early);
  g_assert_cmpuint (k.messages->len, ==, 2);
  assert_bytes_equal (g_ptr_array_index (k.messages, 0),
                      "Subject: one\r\n\r\n.starts with a dot\r\n..two\r\n.\r\nend\r\n");
  assert_bytes_equal (g_ptr_array_index (k.messages, 1), "Subject: two\r\n\r\nno end\r\n");
  g_assert_cmpstr (g_ptr_array_index (k.envelopes, 0), ==, "s@example.net>alice@example.org");
  g_assert_cmpuint (poste_test_provider_count_spooled (p), ==, 1);

  accepted = poste_test_provider_dup_accepted (p);
  g_assert_cmpuint (accepted->len, ==, 2);
  {
    PosteTestMessage *m = g_ptr_array_index (accepted, 0);
    g_assert_cmpstr (m->sender, ==, "s@example.net");
    g_assert_cmpuint (m->recipients->len, ==, 1);
    g_assert_cmpstr (g_ptr_array_index (m->recipients, 0), ==, "alice@example.org");
    g_assert_true (g_bytes_equal (m->data, g_ptr_array_index (k.messages, 0)));
  }
  customer_clear (&k);
}

/* 452 to a recipient: it comes again in a later transaction (the LMTP one-recipient case); 550
 * drops a recipient. */
static void
test_recipient_limits (void)
{
  g_autoptr(PosteTestProvider) p = provider_new (NULL);
  g_autoptr(GPtrArray) accepted = NULL;
  const char *rcpts[] = { "a@example.org", "b@example.org", "gone@example.org", "c@example.org",
                          "d@example.net", NULL };
  Customer k;

  customer_init (&k);
  k.max_rcpts = 1;
  k.refuse_rcpt = "gone@example.org";
  poste_test_provider_add_message (p, "s@example.net", rcpts, "Subject: many\n\nhi\n", -1);
  fetch (p, &k);

  g_assert_cmpuint (k.messages->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (k.envelopes, 0), ==, "s@example.net>a@example.org");
  g_assert_cmpstr (g_ptr_array_index (k.envelopes, 1), ==, "s@example.net>b@example.org");
  g_assert_cmpstr (g_ptr_array_index (k.envelopes, 2), ==, "s@example.net>c@example.org");
  accepted = poste_test_provider_dup_accepted (p);
  g_assert_cmpuint (accepted->len, ==, 3);
  /* The example.net recipient was not asked for: the message stays for it alone. */
  g_assert_cmpuint (poste_test_provider_count_spooled (p), ==, 1);
  customer_clear (&k);
}

/* 4xx or 5xx to the end of data: the provider keeps the message. */
static void
test_data_refused (void)
{
  guint codes[] = { 451, 554 };

  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      g_autoptr(PosteTestProvider) p = provider_new (NULL);
      g_autoptr(GPtrArray) accepted = NULL;
      Customer k;

      customer_init (&k);
      k.data_code = codes[i];
      poste_test_provider_add_message (p, "s@example.net", org_rcpt, "Subject: x\n\nx\n", -1);
      fetch (p, &k);
      g_assert_false (k.closed_early);
      g_assert_cmpuint (poste_test_provider_count_spooled (p), ==, 1);
      accepted = poste_test_provider_dup_accepted (p);
      g_assert_cmpuint (accepted->len, ==, 0);
      customer_clear (&k);
    }
}

/* Bare ATRN: every domain of the account (RFC 2645 section 5.2.1). */
static void
test_atrn_all_domains (void)
{
  g_autoptr(PosteTestProvider) p = provider_new (NULL);
  g_autoptr(Client) c = NULL;
  const char *com_rcpt[] = { "carol@example.com", NULL };
  const char *net_rcpt[] = { "dan@example.net", NULL };
  Customer k;

  poste_test_provider_add_message (p, "s@example.net", org_rcpt, "Subject: org\n\nx\n", -1);
  poste_test_provider_add_message (p, "s@example.net", com_rcpt, "Subject: com\n\nx\n", -1);
  poste_test_provider_add_message (p, "s@example.net", net_rcpt, "Subject: net\n\nx\n", -1);
  customer_init (&k);
  c = start_and_connect (p);
  client_command (c, "EHLO customer.test", 250);
  auth_cram (c);
  client_command (c, "ATRN", 250);
  customer_run (&k, c);
  g_assert_true (poste_test_provider_wait_sessions (p, 1, TIMEOUT));
  g_assert_cmpuint (k.messages->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (k.envelopes, 0), ==, "s@example.net>alice@example.org");
  g_assert_cmpstr (g_ptr_array_index (k.envelopes, 1), ==, "s@example.net>carol@example.com");
  /* example.net is not the account's: held for someone else. */
  g_assert_cmpuint (poste_test_provider_count_spooled (p), ==, 1);
  customer_clear (&k);
}

/* BDAT (RFC 3030) when asked and the customer offers CHUNKING: no dot-stuffing. */
static void
test_bdat (void)
{
  g_autoptr(PosteTestProvider) p = provider_new ("bdat");
  g_autofree char *transcript = NULL;
  Customer k;

  customer_init (&k);
  k.chunking = TRUE;
  poste_test_provider_add_message (p, "s@example.net", org_rcpt, "Subject: b\n\n.dot\n", -1);
  fetch (p, &k);
  g_assert_cmpuint (k.messages->len, ==, 1);
  assert_bytes_equal (g_ptr_array_index (k.messages, 0), "Subject: b\r\n\r\n.dot\r\n");
  g_assert_cmpuint (poste_test_provider_count_spooled (p), ==, 0);
  transcript = poste_test_provider_dup_transcript (p);
  g_assert_nonnull (strstr (transcript, "S: BDAT 20 LAST\n"));
  customer_clear (&k);
}

/* ehlo-quit: turn around, EHLO, QUIT, deliver nothing. */
static void
test_ehlo_quit (void)
{
  g_autoptr(PosteTestProvider) p = provider_new ("ehlo-quit");
  Customer k;

  customer_init (&k);
  poste_test_provider_add_message (p, "s@example.net", org_rcpt, "Subject: x\n\nx\n", -1);
  fetch (p, &k);
  g_assert_false (k.closed_early);
  g_assert_cmpuint (k.messages->len, ==, 0);
  g_assert_cmpuint (poste_test_provider_count_spooled (p), ==, 1);
  customer_clear (&k);
}

/* A message file is streamed from disk, bare LF made CR LF. */
static void
test_message_file (void)
{
  g_autoptr(PosteTestProvider) p = provider_new (NULL);
  g_autofree char *dir = poste_test_make_dir ("spool");
  g_autofree char *path = g_build_filename (dir, "m1", NULL);
  g_autoptr(GString) text = g_string_new ("Subject: big\n\n");
  g_autoptr(GString) expected = g_string_new ("Subject: big\r\n\r\n");
  g_autoptr(GPtrArray) accepted = NULL;
  Customer k;

  for (guint i = 0; i < 20000; i++)
    {
      g_string_append_printf (text, "%sline %u\n", i % 7 == 0 ? "." : "", i);
      g_string_append_printf (expected, "%sline %u\r\n", i % 7 == 0 ? "." : "", i);
    }
  g_assert_true (g_file_set_contents (path, text->str, text->len, NULL));
  customer_init (&k);
  poste_test_provider_add_message_file (p, "s@example.net", org_rcpt, path);
  fetch (p, &k);
  g_assert_cmpuint (k.messages->len, ==, 1);
  assert_bytes_equal (g_ptr_array_index (k.messages, 0), expected->str);
  accepted = poste_test_provider_dup_accepted (p);
  g_assert_cmpstr (((PosteTestMessage *) g_ptr_array_index (accepted, 0))->path, ==, path);
  customer_clear (&k);
}

/* The standalone tool: --spool-dir, envelope from the From: header, --sessions 1. */
static void
test_tool (void)
{
  g_autofree char *tool = g_build_filename (poste_test_build_root (), "tests", "provider",
                                            "poste-test-provider", NULL);
  g_autofree char *dir = poste_test_make_dir ("spool");
  g_autofree char *path_a = g_build_filename (dir, "a.eml", NULL);
  g_autofree char *path_b = g_build_filename (dir, "b.eml", NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Client) c = NULL;
  Customer k;

  g_assert_true (g_file_set_contents (path_b, "From: Bob <bob@example.net>\nSubject: b\n\nB\n", -1,
                                      NULL));
  g_assert_true (g_file_set_contents (path_a, "Return-Path: <>\nFrom: a@example.net\n\n.A\n", -1,
                                      NULL));
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, tool,
                              "--account", "u:p:example.org", "--spool-dir", dir,
                              "--sessions", "1", "--timeout", "20", NULL);
  g_assert_no_error (error);

  customer_init (&k);
  c = client_connect (poste_test_read_listening_port (process));
  g_clear_pointer (&k.envelopes, g_ptr_array_unref);
  k.envelopes = g_ptr_array_new_with_free_func (g_free);
  {
    g_autoptr(PosteReply) greeting = client_expect (c, 220);

    g_assert_nonnull (greeting->lines[0]);
  }
  client_fetch (c, &k);
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (k.messages->len, ==, 2);
  /* Sorted by name: a.eml first; its null sender comes from Return-Path. */
  g_assert_cmpstr (g_ptr_array_index (k.envelopes, 0), ==, ">postmaster@example.org");
  assert_bytes_equal (g_ptr_array_index (k.messages, 0),
                      "Return-Path: <>\r\nFrom: a@example.net\r\n\r\n.A\r\n");
  g_assert_cmpstr (g_ptr_array_index (k.envelopes, 1), ==,
                   "bob@example.net>postmaster@example.org");
  customer_clear (&k);
}

int
main (int    argc,
      char **argv)
{
  poste_test_init (&argc, &argv);

  g_test_add_func ("/provider/greeting-ehlo", test_greeting_ehlo);
  g_test_add_func ("/provider/long-command", test_long_command);
  g_test_add_func ("/provider/auth/cram-md5-rfc2195", test_cram_md5_rfc2195);
  g_test_add_func ("/provider/auth/cram-md5-wrong", test_cram_md5_wrong);
  g_test_add_data_func ("/provider/auth/scram-sha-256", "SCRAM-SHA-256", test_scram);
  g_test_add_data_func ("/provider/auth/scram-sha-1", "SCRAM-SHA-1", test_scram);
  g_test_add_func ("/provider/auth/login-plain", test_login_plain);
  g_test_add_func ("/provider/auth/scram-sha-256-plus", test_scram_plus);
  g_test_add_func ("/provider/atrn/codes", test_atrn_codes);
  g_test_add_func ("/provider/atrn/all-domains", test_atrn_all_domains);
  g_test_add_data_func ("/provider/turnaround/pipelining", NULL, test_turnaround);
  g_test_add_data_func ("/provider/turnaround/no-pipelining", "no-pipelining", test_turnaround);
  g_test_add_data_func ("/provider/turnaround/slow", "slow-lines=5", test_turnaround);
  g_test_add_func ("/provider/turnaround/recipient-limits", test_recipient_limits);
  g_test_add_func ("/provider/turnaround/data-refused", test_data_refused);
  g_test_add_func ("/provider/turnaround/bdat", test_bdat);
  g_test_add_func ("/provider/turnaround/ehlo-quit", test_ehlo_quit);
  g_test_add_func ("/provider/turnaround/message-file", test_message_file);
  g_test_add_func ("/provider/faults/drop-after-250", test_drop_after_250);
  g_test_add_func ("/provider/faults/drop-in-data", test_drop_in_data);
  g_test_add_func ("/provider/faults/drop-stages", test_drop_stages);
  g_test_add_func ("/provider/faults/content", test_content_faults);
  g_test_add_func ("/provider/faults/drop-reversed", test_drop_reversed);
  g_test_add_func ("/provider/faults/huge", test_huge);
  g_test_add_func ("/provider/auth/external", test_external);
  g_test_add_func ("/provider/tool/spool-dir", test_tool);
  g_test_add_func ("/provider/faults/replies", test_reply_faults);
  g_test_add_func ("/provider/faults/junk-334", test_junk_334);
  g_test_add_func ("/provider/faults/silent", test_silent);
  g_test_add_func ("/provider/faults/bad-spec", test_bad_faults);
  g_test_add_func ("/provider/tls/starttls", test_starttls);
  g_test_add_func ("/provider/tls/starttls-faults", test_starttls_faults);
  g_test_add_func ("/provider/tls/implicit", test_implicit_tls);
  g_test_add_func ("/provider/tls/cert-expired", test_cert_expired);

  return g_test_run ();
}
