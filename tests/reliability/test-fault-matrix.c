/* test-fault-matrix.c: no mail is lost, whatever the provider's connection does, in every target
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The fault matrix: for each point where the test provider can drop the connection (greeting,
 * EHLO, STARTTLS, the TLS handshake, AUTH, ATRN, our 220, MAIL, RCPT, DATA, several byte offsets
 * inside the content, after our 250 before the provider records it, before QUIT) and for each
 * real delivery target (Maildir, mbox, SMTP relay to a Postfix instance, LMTP to a Dovecot
 * instance), one broken session then one clean retry. Afterwards every spooled message must
 * have been delivered; a duplicate is allowed only in the after-250 case (SMTP cannot avoid it:
 * RFC 5321 section 6.1 and RFC 1047). The matrix of delivered, lost and duplicated messages is
 * printed at the end.
 *
 * Then local failures: the target is unavailable, the disk is full, the mailbox is locked. The
 * provider keeps the mail (we answered 4xx) and the next fetch, once the cause is gone, delivers
 * it.
 *
 * Postfix and Dovecot are started once for the whole program.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "poste.h"
#include "poste-test-cert.h"
#include "poste-test-provider.h"
#include "poste-test-services.h"
#include "poste-test.h"

#define USER "customer"
#define PASSWORD "Matrix-pa55word"
#define TIMEOUT 20
#define MESSAGES 3
#define RECIPIENT "alice@" POSTE_TEST_MAIL_DOMAIN

static const char *const domains[] = { POSTE_TEST_MAIL_DOMAIN, NULL };
static const char *const rcpts[] = { RECIPIENT, NULL };

static char *work_dir;
static PosteTestCert *cert;
static PosteTestMailServices services;

typedef enum {
  TARGET_MAILDIR,
  TARGET_MBOX,
  TARGET_SMTP,
  TARGET_LMTP,
  N_TARGETS
} Target;

static const char *const target_names[N_TARGETS] = { "Maildir", "mbox", "SMTP/Postfix",
                                                     "LMTP/Dovecot" };

typedef struct {
  const char *name;
  const char *fault;
  gboolean    duplicate;      /* the one case where a duplicate is expected */
} Drop;

static const Drop drops[] = {
  { "greeting", "drop=greeting", FALSE },
  { "ehlo", "drop=ehlo", FALSE },
  { "starttls", "drop=starttls", FALSE },
  { "handshake", "drop=handshake", FALSE },
  { "auth", "drop=auth", FALSE },
  { "atrn", "drop=atrn", FALSE },
  { "our-220", "drop=our-220", FALSE },
  { "mail", "drop=mail", FALSE },
  { "rcpt", "drop=rcpt", FALSE },
  { "data", "drop=data", FALSE },
  { "data+0", "drop-in-data=0", FALSE },
  { "data+1", "drop-in-data=1", FALSE },
  { "data+40", "drop-in-data=40", FALSE },
  { "data+137", "drop-in-data=137", FALSE },
  { "data+last", "drop-in-data=LAST", FALSE },
  { "after-250", "drop=after-250", TRUE },
  { "quit", "drop=quit", FALSE },
};

typedef struct {
  gboolean run;
  gboolean skipped;
  guint    spooled;
  guint    delivered;
  guint    lost;
  guint    duplicated;
} Cell;

static Cell matrix[G_N_ELEMENTS (drops)][N_TARGETS];

typedef struct {
  guint drop;
  Target target;
} CellId;

/* A message with dots at line starts (stuffed on the wire), a "From " line (quoted in mbox) and
 * a tag that identifies it wherever it lands. */
static char *
make_message (const char *tag)
{
  return g_strdup_printf ("Message-ID: <%s@matrix.test>\r\n"
                          "From: sender@provider.example\r\n"
                          "To: " RECIPIENT "\r\n"
                          "Subject: %s\r\n"
                          "\r\n"
                          "First line of %s.\r\n"
                          ".\r\n"
                          "..two\r\n"
                          "From the middle of the body\r\n"
                          "Last line.\r\n", tag, tag, tag);
}

/* How many times each tag's Message-ID appears in @blobs (GBytes). */
static void
count_tags (GPtrArray         *blobs,
            char             **tags,
            guint             *counts)
{
  for (guint t = 0; tags[t] != NULL; t++)
    {
      g_autofree char *needle = g_strdup_printf ("Message-ID: <%s@matrix.test>", tags[t]);
      gsize nlen = strlen (needle);

      counts[t] = 0;
      for (guint i = 0; i < blobs->len; i++)
        {
          gsize length;
          const char *data = g_bytes_get_data (blobs->pdata[i], &length);
          const char *p = data;
          const char *hit;

          while ((hit = g_strstr_len (p, length - (gsize) (p - data), needle)) != NULL)
            {
              counts[t]++;
              p = hit + nlen;
            }
        }
    }
}

static GPtrArray *
read_blobs (Target      target,
            const char *path)
{
  GPtrArray *blobs;

  switch (target)
    {
    case TARGET_MBOX:
      {
        char *contents = NULL;
        gsize length = 0;

        blobs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
        if (g_file_get_contents (path, &contents, &length, NULL))
          g_ptr_array_add (blobs, g_bytes_new_take (contents, length));
        return blobs;
      }
    case TARGET_MAILDIR:
    case TARGET_SMTP:
    case TARGET_LMTP:
    case N_TARGETS:
    default:
      return poste_test_maildir_read (path);
    }
}

/* The target's spec and where its mail lands. */
static char *
target_spec (Target      target,
             const char *cell_dir,
             char      **store)
{
  switch (target)
    {
    case TARGET_MAILDIR:
      *store = g_build_filename (cell_dir, "Maildir", NULL);
      return g_strdup_printf ("maildir:%s", *store);
    case TARGET_MBOX:
      *store = g_build_filename (cell_dir, "mbox", NULL);
      return g_strdup_printf ("mbox:%s", *store);
    case TARGET_SMTP:
      *store = poste_test_service_maildir (services.postfix, "alice");
      return g_strdup_printf ("smtp://127.0.0.1:%u", services.postfix_port);
    case TARGET_LMTP:
    case N_TARGETS:
    default:
      *store = poste_test_service_maildir (services.dovecot, "alice");
      return g_strdup_printf ("lmtp://127.0.0.1:%u", services.dovecot_port);
    }
}

static PosteTestProvider *
provider_new (void)
{
  PosteTestProvider *tp = poste_test_provider_new ();

  poste_test_provider_set_tls (tp, POSTE_TEST_TLS_STARTTLS, cert->certificate);
  poste_test_provider_add_account (tp, USER, PASSWORD, domains);
  poste_test_provider_set_timeout (tp, TIMEOUT);
  return tp;
}

static PosteProvider *
customer_new (guint16 port)
{
  PosteProvider *provider = poste_provider_new ("matrix");

  poste_provider_set_host (provider, "127.0.0.1");
  poste_provider_set_port (provider, port);
  poste_provider_set_username (provider, USER);
  poste_provider_set_domains (provider, domains);
  poste_provider_set_security (provider, POSTE_SECURITY_STARTTLS);
  poste_provider_set_ca_file (provider, cert->ca_file);
  return provider;
}

/* One fetch into @spec; returns the report (owned by the caller) and whether it succeeded. */
static PosteSessionReport *
fetch (PosteProvider *provider,
       PosteDelivery *delivery,
       gboolean      *ok,
       GError       **error)
{
  g_autoptr(PosteSession) session = poste_session_new (provider, PASSWORD, delivery);
  PosteSessionReport *report;

  poste_session_set_timeout (session, TIMEOUT);
  poste_session_set_atrn_timeout (session, TIMEOUT);
  poste_session_set_local_name (session, "customer.example");
  *ok = poste_session_run (session, NULL, error);
  report = poste_session_report_copy (poste_session_get_report (session));
  for (guint i = 0; i < report->transcript->len; i++)
    g_test_message ("%s", (const char *) report->transcript->pdata[i]);
  return report;
}

static PosteDelivery *
delivery_new (const char *spec)
{
  g_autoptr(GError) error = NULL;
  PosteDelivery *delivery = poste_delivery_new_for_target (spec, &error);

  g_assert_no_error (error);
  g_assert_nonnull (delivery);
  return delivery;
}

/* Polls @store until every tag arrived (and @extra more copies), for at most 30 s: Postfix
 * delivers from its queue a little after its 250. */
static void
wait_counts (Target      target,
             const char *store,
             char      **tags,
             guint      *counts,
             guint       extra)
{
  for (guint round = 0; round < 300; round++)
    {
      g_autoptr(GPtrArray) blobs = read_blobs (target, store);
      guint total = 0;
      gboolean all = TRUE;

      count_tags (blobs, tags, counts);
      for (guint t = 0; tags[t] != NULL; t++)
        {
          total += counts[t];
          all = all && counts[t] > 0;
        }
      if (all && total >= g_strv_length (tags) + extra)
        return;
      if (target != TARGET_SMTP)
        return;
      g_usleep (G_USEC_PER_SEC / 10);
    }
}

static void
test_cell (gconstpointer data)
{
  const CellId *id = data;
  const Drop *drop = &drops[id->drop];
  Cell *cell = &matrix[id->drop][id->target];
  g_autofree char *cell_name = g_strdup_printf ("%s-%u", drop->name, id->target);
  g_autofree char *cell_dir = g_build_filename (work_dir, cell_name, NULL);
  g_autofree char *store = NULL;
  g_autofree char *spec = NULL;
  g_autofree char *fault = NULL;
  g_autoptr(PosteTestProvider) tp = NULL;
  g_autoptr(PosteProvider) provider = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) tags = g_new0 (char *, MESSAGES + 1);
  guint counts[MESSAGES];
  guint16 port;
  gboolean ok;

  if ((id->target == TARGET_SMTP && services.postfix == NULL) ||
      (id->target == TARGET_LMTP && services.dovecot == NULL))
    {
      cell->skipped = TRUE;
      poste_test_missing (id->target == TARGET_SMTP ? services.postfix_failure
                                                    : services.dovecot_failure);
      return;
    }
  g_assert_no_errno (g_mkdir_with_parents (cell_dir, 0700));
  spec = target_spec (id->target, cell_dir, &store);

  tp = provider_new ();
  for (guint i = 0; i < MESSAGES; i++)
    {
      g_autofree char *message = NULL;

      tags[i] = g_strdup_printf ("%s-%s-%u-%u", drop->name,
                                 id->target == TARGET_SMTP ? "smtp" :
                                 id->target == TARGET_LMTP ? "lmtp" :
                                 id->target == TARGET_MBOX ? "mbox" : "maildir",
                                 i, g_random_int ());
      message = make_message (tags[i]);
      poste_test_provider_add_message (tp, "sender@provider.example", rcpts, message, -1);
      /* The last offset cuts the first message just before its end. */
      if (i == 0 && g_str_has_suffix (drop->fault, "=LAST"))
        fault = g_strdup_printf ("drop-in-data=%zu", strlen (message) + 2 /* stuffing */ - 3);
    }
  if (fault == NULL)
    fault = g_strdup (drop->fault);
  poste_test_provider_set_faults (tp, fault, &error);
  g_assert_no_error (error);
  port = poste_test_provider_start (tp, &error);
  g_assert_no_error (error);
  provider = customer_new (port);
  cell->run = TRUE;
  cell->spooled = MESSAGES;

  /* The broken session. */
  {
    g_autoptr(PosteDelivery) delivery = delivery_new (spec);
    g_autoptr(PosteSessionReport) report = fetch (provider, delivery, &ok, &error);

    g_test_message ("broken session (%s): %s, %u delivered", fault,
                    ok ? "ok" : error->message, report->messages);
    /* Only the after-250 drop loses the provider's record of a message we took. */
    g_assert_cmpuint (report->messages, <=, drop->duplicate ? 1 : MESSAGES);
    /* A hang-up between transactions (after a 250, before QUIT) ends the session well enough;
     * anywhere else (after our 220 before any EHLO included) it is an error. */
    if (!drop->duplicate && !g_str_equal (drop->name, "quit"))
      g_assert_false (ok);
    g_clear_error (&error);
  }
  g_assert_true (poste_test_provider_wait_sessions (tp, 1, TIMEOUT));

  /* The clean retry delivers what is left. */
  poste_test_provider_set_faults (tp, NULL, &error);
  g_assert_no_error (error);
  {
    g_autoptr(PosteDelivery) delivery = delivery_new (spec);
    g_autoptr(PosteSessionReport) report = fetch (provider, delivery, &ok, &error);

    g_assert_no_error (error);
    g_assert_true (ok);
    g_assert_cmpuint (report->refused, ==, 0);
  }
  g_assert_true (poste_test_provider_wait_sessions (tp, 2, TIMEOUT));
  g_assert_cmpuint (poste_test_provider_count_spooled (tp), ==, 0);
  poste_test_provider_stop (tp);

  wait_counts (id->target, store, tags, counts, drop->duplicate ? 1 : 0);
  for (guint i = 0; i < MESSAGES; i++)
    {
      g_test_message ("%s: %u copies", tags[i], counts[i]);
      if (counts[i] == 0)
        cell->lost++;
      else
        {
          cell->delivered++;
          cell->duplicated += counts[i] - 1;
        }
    }
  g_assert_cmpuint (cell->lost, ==, 0);
  g_assert_cmpuint (cell->delivered, ==, MESSAGES);
  /* A duplicate only where SMTP cannot avoid one: our 250 was lost with the connection. */
  g_assert_cmpuint (cell->duplicated, ==, drop->duplicate ? 1 : 0);
}

static void
test_print (void)
{
  GString *line = g_string_new (NULL);
  guint lost = 0;
  guint unexpected = 0;
  guint cells = 0;

  g_string_append_printf (line, "%-11s", "drop \\ target");
  for (guint t = 0; t < N_TARGETS; t++)
    g_string_append_printf (line, " | %-19s", target_names[t]);
  g_test_message ("%s", line->str);
  g_test_message ("%-11s   (spooled delivered/lost/duplicated per cell)", "");
  for (guint d = 0; d < G_N_ELEMENTS (drops); d++)
    {
      g_string_printf (line, "%-13s", drops[d].name);
      for (guint t = 0; t < N_TARGETS; t++)
        {
          const Cell *c = &matrix[d][t];

          if (c->skipped)
            g_string_append_printf (line, " | %-19s", "skipped");
          else if (!c->run)
            g_string_append_printf (line, " | %-19s", "not run");
          else
            {
              g_autofree char *text = g_strdup_printf ("%u: %u/%u/%u", c->spooled, c->delivered,
                                                       c->lost, c->duplicated);
              g_string_append_printf (line, " | %-19s", text);
              cells++;
            }
          lost += c->lost + (c->run ? c->spooled - c->delivered - c->lost : 0);
          if (c->duplicated != (drops[d].duplicate && c->run ? 1u : 0u))
            unexpected++;
        }
      g_test_message ("%s", line->str);
    }
  g_test_message ("%u cells, %u messages lost, %u cells with unexpected duplicates",
                  cells, lost, unexpected);
  g_string_free (line, TRUE);
  g_assert_cmpuint (lost, ==, 0);
  g_assert_cmpuint (unexpected, ==, 0);
  g_assert_cmpuint (cells, >, 0);
}

/* ---- Local failures ---- */

typedef struct {
  PosteTestProvider *tp;
  PosteProvider     *provider;
  char             **tags;
} Local;

static void
local_setup (Local *l)
{
  g_autoptr(GError) error = NULL;
  guint16 port;

  l->tp = provider_new ();
  l->tags = g_new0 (char *, MESSAGES + 1);
  for (guint i = 0; i < MESSAGES; i++)
    {
      g_autofree char *message = NULL;

      l->tags[i] = g_strdup_printf ("local-%u-%u", i, g_random_int ());
      message = make_message (l->tags[i]);
      poste_test_provider_add_message (l->tp, "sender@provider.example", rcpts, message, -1);
    }
  port = poste_test_provider_start (l->tp, &error);
  g_assert_no_error (error);
  l->provider = customer_new (port);
}

static void
local_teardown (Local *l)
{
  poste_test_provider_stop (l->tp);
  g_clear_object (&l->tp);
  g_clear_object (&l->provider);
  g_strfreev (l->tags);
}

/* The fetch that fails locally: the session ends, the provider keeps every message (4xx). */
static void
local_fetch_refused (Local         *l,
                     const char    *spec,
                     PosteDelivery *target)
{
  g_autoptr(PosteDelivery) delivery = target != NULL ? g_object_ref (target) : delivery_new (spec);
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteSessionReport) report = NULL;
  gboolean ok;

  report = fetch (l->provider, delivery, &ok, &error);
  g_test_message ("failed fetch: %s", error != NULL ? error->message : "no error");
  g_assert_cmpuint (report->messages, ==, 0);
  g_assert_cmpuint (poste_test_provider_count_spooled (l->tp), ==, MESSAGES);
  {
    g_autofree char *transcript = poste_test_provider_dup_transcript (l->tp);
    g_test_message ("%s", transcript);
    g_auto(GStrv) lines = g_strsplit (transcript, "\n", -1);
    gboolean temporary = FALSE;

    /* The provider heard a 4xx and keeps the mail; never a 5xx that would bounce it (a 503 to
     * a pipelined RCPT after a refused MAIL is no verdict on the message). */
    for (guint i = 0; lines[i] != NULL; i++)
      {
        if (g_str_has_prefix (lines[i], "C: 4"))
          temporary = TRUE;
        if (g_str_has_prefix (lines[i], "C: 5"))
          g_assert_true (g_str_has_prefix (lines[i], "C: 503 "));
      }
    g_assert_true (temporary);
  }
  g_assert_true (poste_test_provider_wait_sessions (l->tp, 1, TIMEOUT));
}

/* The next fetch, once the cause is gone, delivers every message exactly once. */
static void
local_fetch_delivers (Local      *l,
                      const char *spec,
                      Target      target,
                      const char *store)
{
  g_autoptr(PosteDelivery) delivery = delivery_new (spec);
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteSessionReport) report = NULL;
  guint counts[MESSAGES];
  gboolean ok;

  report = fetch (l->provider, delivery, &ok, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpuint (report->messages, ==, MESSAGES);
  g_assert_cmpuint (poste_test_provider_count_spooled (l->tp), ==, 0);
  wait_counts (target, store, l->tags, counts, 0);
  for (guint i = 0; i < MESSAGES; i++)
    g_assert_cmpuint (counts[i], ==, 1);
}

static void
test_local_unavailable (void)
{
  Local l = { 0, };
  /* Short: a UNIX socket's path has room for 107 bytes. */
  g_autofree char *dir = g_build_filename (work_dir, "unavail", NULL);
  g_autofree char *socket_path = g_build_filename (dir, "lmtp.sock", NULL);
  g_autofree char *spec = g_strdup_printf ("lmtp:%s", socket_path);
  g_autofree char *store = NULL;

  if (services.dovecot == NULL)
    {
      poste_test_missing (services.dovecot_failure);
      return;
    }
  g_assert_no_errno (g_mkdir_with_parents (dir, 0700));
  local_setup (&l);
  /* Nothing listens on the socket yet. */
  local_fetch_refused (&l, spec, NULL);
  /* Now the local LMTP server is there. */
  g_assert_no_errno (symlink (services.dovecot_socket, socket_path));
  store = poste_test_service_maildir (services.dovecot, "alice");
  local_fetch_delivers (&l, spec, TARGET_LMTP, store);
  local_teardown (&l);
}

static void
test_local_smtp_down (void)
{
  Local l = { 0, };
  guint16 port = poste_test_free_port ();
  g_autofree char *spec = g_strdup_printf ("smtp://127.0.0.1:%u", port);
  g_autofree char *dir = poste_test_make_dir ("smtp-down");
  g_autofree char *store = g_build_filename (dir, "Maildir", NULL);
  g_autofree char *maildir_spec = g_strdup_printf ("maildir:%s", store);

  local_setup (&l);
  local_fetch_refused (&l, spec, NULL);
  /* The user points the provider at a target that works. */
  local_fetch_delivers (&l, maildir_spec, TARGET_MAILDIR, store);
  local_teardown (&l);
}

/* Fills the file system at @dir: a file grows until write() fails. */
static char *
fill_disk (const char *dir)
{
  char *filler = g_build_filename (dir, "filler", NULL);
  char block[1024];
  int fd = open (filler, O_WRONLY | O_CREAT | O_TRUNC, 0600);

  memset (block, 'f', sizeof block);
  g_assert_cmpint (fd, >=, 0);
  while (write (fd, block, sizeof block) > 0)
    ;
  /* Single bytes, until the last one is gone too. */
  while (write (fd, block, 1) > 0)
    ;
  close (fd);
  return filler;
}

static void
test_local_disk_full (gconstpointer data)
{
  Target target = GPOINTER_TO_INT (data);
  Local l = { 0, };
  g_autofree char *dir = poste_test_mount_small_tmpfs ();
  g_autofree char *store = NULL;
  g_autofree char *spec = NULL;
  g_autofree char *filler = NULL;

  if (dir == NULL)
    return;
  store = g_build_filename (dir, target == TARGET_MBOX ? "mbox" : "Maildir", NULL);
  spec = g_strdup_printf ("%s:%s", target == TARGET_MBOX ? "mbox" : "maildir", store);
  if (target == TARGET_MAILDIR)
    {
      /* The Maildir exists already; only its messages find no room. */
      for (guint i = 0; i < 3; i++)
        {
          g_autofree char *sub = g_build_filename (store, i == 0 ? "tmp" : i == 1 ? "new" : "cur",
                                                   NULL);
          g_assert_no_errno (g_mkdir_with_parents (sub, 0700));
        }
    }
  filler = fill_disk (dir);

  local_setup (&l);
  local_fetch_refused (&l, spec, NULL);
  /* Nothing half-written stays behind. */
  if (target == TARGET_MAILDIR)
    {
      g_autofree char *tmp = g_build_filename (store, "tmp", NULL);
      g_autofree char *new = g_build_filename (store, "new", NULL);

      g_assert_cmpuint (poste_test_dir_count (tmp), ==, 0);
      g_assert_cmpuint (poste_test_dir_count (new), ==, 0);
    }
  else
    {
      GStatBuf st;

      g_assert_true (g_stat (store, &st) != 0 || st.st_size == 0);
    }

  g_assert_no_errno (g_unlink (filler));
  local_fetch_delivers (&l, spec, target, store);
  local_teardown (&l);
  g_assert_no_errno (umount2 (dir, MNT_DETACH));
}

static void
test_local_mbox_locked (void)
{
  Local l = { 0, };
  g_autofree char *dir = poste_test_make_dir ("locked");
  g_autofree char *path = g_build_filename (dir, "mbox", NULL);
  g_autofree char *spec = g_strdup_printf ("mbox:%s", path);
  g_autoptr(PosteDelivery) locked = NULL;
  PosteTestLock *holder;

  g_assert_true (g_file_set_contents (path, "", 0, NULL));
  holder = poste_test_lock_hold (path);

  locked = poste_mbox_delivery_new (path);
  poste_mbox_delivery_set_lock_timeout (POSTE_MBOX_DELIVERY (locked), 2);
  local_setup (&l);
  /* The mbox target waits for the lock a while (its lock timeout), then answers 4xx. */
  local_fetch_refused (&l, NULL, locked);
  {
    g_autofree char *contents = NULL;

    g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
    g_assert_cmpstr (contents, ==, "");
  }

  /* The other program lets go. */
  poste_test_lock_release (holder);
  local_fetch_delivers (&l, spec, TARGET_MBOX, path);
  local_teardown (&l);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  int status;

  poste_test_init (&argc, &argv);

  work_dir = poste_test_service_dir_new ("matrix");
  cert = poste_test_cert_new (work_dir, "provider.test", POSTE_TEST_CERT_NONE, &error);
  g_assert_no_error (error);

  poste_test_mail_services_start (&services);

  for (guint t = 0; t < N_TARGETS; t++)
    for (guint d = 0; d < G_N_ELEMENTS (drops); d++)
      {
        CellId *id = g_new0 (CellId, 1);
        g_autofree char *path = NULL;
        static const char *const short_names[N_TARGETS] = { "maildir", "mbox", "smtp", "lmtp" };

        id->drop = d;
        id->target = t;
        g_ptr_array_add (ids, id);
        path = g_strdup_printf ("/reliability/matrix/%s/%s", short_names[t], drops[d].name);
        g_test_add_data_func (path, id, test_cell);
      }
  g_test_add_func ("/reliability/print/matrix", test_print);
  g_test_add_func ("/reliability/local/lmtp-unavailable", test_local_unavailable);
  g_test_add_func ("/reliability/local/smtp-down", test_local_smtp_down);
  g_test_add_data_func ("/reliability/local/disk-full/maildir", GINT_TO_POINTER (TARGET_MAILDIR),
                        test_local_disk_full);
  g_test_add_data_func ("/reliability/local/disk-full/mbox", GINT_TO_POINTER (TARGET_MBOX),
                        test_local_disk_full);
  g_test_add_func ("/reliability/local/mbox-locked", test_local_mbox_locked);

  status = g_test_run ();

  poste_test_mail_services_stop (&services);
  poste_test_cert_free (cert);
  poste_test_remove_tree (work_dir);
  g_free (work_dir);
  return status;
}
