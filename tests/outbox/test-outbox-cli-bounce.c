/* test-outbox-cli-bounce.c: a message the provider's relay refuses comes back as a
 * bounce (RFC 3464) in the local Maildir, read here part by part (RFC 2046)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "test-outbox-cli.h"

typedef struct {
  char *header;  /* unfolded, one field a line */
  char *body;
} Part;

static void
part_free (gpointer data)
{
  Part *part = data;

  g_free (part->header);
  g_free (part->body);
  g_free (part);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Part, part_free)

/* Splits @text (LF line ends, as a Maildir holds it) at its first empty line; the header is
 * unfolded (RFC 5322 section 2.2.3). */
static Part *
part_parse (const char *text)
{
  Part *part = g_new0 (Part, 1);
  const char *blank = g_str_has_prefix (text, "\n") ? text : strstr (text, "\n\n");
  g_autofree char *header = NULL;
  g_autoptr(GString) unfolded = g_string_new (NULL);

  g_assert_nonnull (blank);
  header = g_strndup (text, blank - text);
  part->body = g_strdup (blank == text ? text + 1 : blank + 2);
  for (const char *p = header; *p != '\0'; p++)
    {
      if (*p == '\n' && (p[1] == ' ' || p[1] == '\t'))
        continue;
      g_string_append_c (unfolded, *p);
    }
  part->header = g_string_free (g_steal_pointer (&unfolded), FALSE);
  return part;
}

/* The value of the first field @name of @part's header, or NULL. */
static char *
part_field (const Part *part,
            const char *name)
{
  g_auto(GStrv) lines = g_strsplit (part->header, "\n", -1);
  gsize length = strlen (name);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_ascii_strncasecmp (lines[i], name, length) == 0 && lines[i][length] == ':')
      return g_strdup (g_strstrip (lines[i] + length + 1));
  return NULL;
}

/* The parts of a multipart body (RFC 2046 section 5.1.1), in order. */
static GPtrArray *
multipart_parse (const Part *message)
{
  g_autofree char *type = part_field (message, "Content-Type");
  g_autofree char *boundary = NULL;
  g_autofree char *delimiter = NULL;
  g_autofree char *close = NULL;
  g_auto(GStrv) lines = g_strsplit (message->body, "\n", -1);
  GPtrArray *parts = g_ptr_array_new_with_free_func (part_free);
  g_autoptr(GString) current = NULL;
  gboolean closed = FALSE;
  const char *start;

  g_assert_nonnull (type);
  start = strstr (type, "boundary=\"");
  g_assert_nonnull (start);
  start += strlen ("boundary=\"");
  g_assert_nonnull (strchr (start, '"'));
  boundary = g_strndup (start, strchr (start, '"') - start);
  delimiter = g_strconcat ("--", boundary, NULL);
  close = g_strconcat ("--", boundary, "--", NULL);
  for (guint i = 0; lines[i] != NULL && !closed; i++)
    {
      gboolean is_delimiter = g_str_equal (lines[i], delimiter);

      closed = g_str_equal (lines[i], close);
      if ((is_delimiter || closed) && current != NULL)
        {
          /* The line end before a delimiter belongs to the delimiter. */
          if (current->len > 0 && current->str[current->len - 1] == '\n')
            g_string_truncate (current, current->len - 1);
          g_ptr_array_add (parts, part_parse (current->str));
          g_string_free (g_steal_pointer (&current), TRUE);
        }
      if (is_delimiter)
        current = g_string_new (NULL);
      else if (current != NULL)
        g_string_append_printf (current, "%s\n", lines[i]);
    }
  g_assert_true (closed);
  return parts;
}

/* A line of a report is text with no control character and no escape in it: a line end that
 * was made printable instead of removed shows as "\x0d\x0a". */
static void
assert_clean_line (const char *line)
{
  g_assert_nonnull (line);
  g_assert_true (g_utf8_validate (line, -1, NULL));
  g_assert_null (strchr (line, '\\'));
  for (const char *p = line; *p != '\0'; p++)
    g_assert_true ((guchar) *p >= 0x20 && *p != 0x7f);
}

/* The per-recipient blocks of a message/delivery-status body (RFC 3464 section 2.1): each a
 * table of field names to values; the first block is the per-message one. */
static GPtrArray *
delivery_status_parse (const char *body)
{
  g_auto(GStrv) lines = g_strsplit (body, "\n", -1);
  GPtrArray *blocks = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);
  GHashTable *block = NULL;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *colon;

      if (lines[i][0] == '\0')
        {
          block = NULL;
          continue;
        }
      /* No folded field: each one is exactly one line. */
      g_assert_false (lines[i][0] == ' ' || lines[i][0] == '\t');
      assert_clean_line (lines[i]);
      colon = strstr (lines[i], ": ");
      g_assert_nonnull (colon);
      if (block == NULL)
        {
          block = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
          g_ptr_array_add (blocks, block);
        }
      g_hash_table_insert (block, g_ascii_strdown (lines[i], colon - lines[i]),
                           g_strdup (colon + 2));
    }
  return blocks;
}

static char *
maildir_only_message (const char *maildir)
{
  g_autofree char *new_dir = g_build_filename (maildir, "new", NULL);
  g_autoptr(GDir) dir = g_dir_open (new_dir, 0, NULL);
  g_autofree char *path = NULL;
  char *text = NULL;
  const char *name;

  g_assert_nonnull (dir);
  name = g_dir_read_name (dir);
  g_assert_nonnull (name);
  path = g_build_filename (new_dir, name, NULL);
  g_assert_null (g_dir_read_name (dir));
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

void
test_fetch_bounce (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(PosteHistory) history = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *new_dir = NULL;

  g_assert_true (poste_test_provider_set_faults (f->relay, "submit-rcpt=550", &error));
  g_assert_cmpint (run_cli (f, "Subject: x\n\nx\n", "send", "-f", "alice@example.org",
                            "nobody@remote.example", "ghost@remote.example", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, "fetch", NULL), ==, 1);
  g_assert_nonnull (strstr (f->out, "test: outbox: 0 messages sent, 1 returned to the sender"));
  items = list (f);
  g_assert_cmpuint (items->len, ==, 0);
  new_dir = g_build_filename (f->maildir, "new", NULL);
  g_assert_cmpuint (poste_test_dir_count (new_dir), ==, 1);

  /* The bounce, read part by part: the relay's two-line 550 is one clean line in every field
   * and in the readable text, with both of its lines and no escaped line end. */
  {
    g_autofree char *text = maildir_only_message (f->maildir);
    g_autoptr(Part) message = NULL;
    g_autoptr(GPtrArray) parts = NULL;
    g_autoptr(GPtrArray) blocks = NULL;
    g_autofree char *type = NULL;
    g_auto(GStrv) readable = NULL;
    const char *recipients[] = { "nobody@remote.example", "ghost@remote.example" };
    guint found = 0;

    g_assert_null (strstr (text, "\\x0"));
    message = part_parse (text);
    parts = multipart_parse (message);
    g_assert_cmpuint (parts->len, ==, 3);

    type = part_field (parts->pdata[0], "Content-Type");
    g_assert_cmpstr (type, ==, "text/plain; charset=utf-8");
    readable = g_strsplit (((Part *) parts->pdata[0])->body, "\n", -1);
    for (guint i = 0; readable[i] != NULL; i++)
      {
        assert_clean_line (readable[i]);
        for (guint j = 0; j < G_N_ELEMENTS (recipients); j++)
          {
            g_autofree char *expected =
              g_strdup_printf ("  <%s>: 550-5.1.1 Scripted reply to RCPT 550 5.1.1 <%s>: "
                               "refused by the test", recipients[j], recipients[j]);

            if (g_str_equal (readable[i], expected))
              found++;
          }
      }
    g_assert_cmpuint (found, ==, 2);
    g_clear_pointer (&type, g_free);

    type = part_field (parts->pdata[1], "Content-Type");
    g_assert_cmpstr (type, ==, "message/delivery-status");
    blocks = delivery_status_parse (((Part *) parts->pdata[1])->body);
    g_assert_cmpuint (blocks->len, ==, 3);
    g_assert_nonnull (g_hash_table_lookup (blocks->pdata[0], "reporting-mta"));
    g_assert_nonnull (g_hash_table_lookup (blocks->pdata[0], "arrival-date"));
    for (guint j = 0; j < G_N_ELEMENTS (recipients); j++)
      {
        GHashTable *block = blocks->pdata[j + 1];
        g_autofree char *final = g_strdup_printf ("rfc822; %s", recipients[j]);
        g_autofree char *diagnostic =
          g_strdup_printf ("smtp; 550-5.1.1 Scripted reply to RCPT 550 5.1.1 <%s>: refused by "
                           "the test", recipients[j]);

        g_assert_cmpstr (g_hash_table_lookup (block, "final-recipient"), ==, final);
        g_assert_cmpstr (g_hash_table_lookup (block, "action"), ==, "failed");
        g_assert_cmpstr (g_hash_table_lookup (block, "status"), ==, "5.1.1");
        g_assert_cmpstr (g_hash_table_lookup (block, "remote-mta"), ==, "dns; 127.0.0.1");
        g_assert_cmpstr (g_hash_table_lookup (block, "diagnostic-code"), ==, diagnostic);
      }
    g_clear_pointer (&type, g_free);

    type = part_field (parts->pdata[2], "Content-Type");
    g_assert_cmpstr (type, ==, "text/rfc822-headers");
    g_assert_nonnull (strstr (((Part *) parts->pdata[2])->body, "Subject: x\n"));
  }

  /* The user hears of it: the session's record carries the outbox's error. */
  history = poste_history_new (NULL);
  records = poste_history_list (history, "test", 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 1);
  g_assert_nonnull (((PosteSessionReport *) records->pdata[0])->error);
  g_assert_true (g_error_matches (((PosteSessionReport *) records->pdata[0])->error,
                                  POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_BOUNCED) ||
                 strstr (((PosteSessionReport *) records->pdata[0])->error->message,
                         "refused") != NULL);
}

/* ---- SMTP to the listener ---- */
