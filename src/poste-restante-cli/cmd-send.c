/* cmd-send.c: poste-restante-cli send (sendmail-compatible entry to the outbox), and the outbox's
 * part in fetch and run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `send` reads a message on standard input and queues it in the outbox, the way sendmail(1)
 * does, so that programs that call /usr/sbin/sendmail can call it instead:
 *
 *   poste-restante-cli send [-f SENDER] [-t] [-i] [RECIPIENT...]  < message
 *
 *   -f ADDR, -fADDR, -r ADDR   the envelope sender; without it, the first address of From:
 *   -t                         the recipients are also taken from To:, Cc: and Bcc:
 *   -i, -oi                    a line with a single "." does not end the message
 *   -F NAME, -o*, -B*, -N*, -R*, -V*, -L*, -bm, -v, -em, -ep, -eq, -U
 *                              accepted and ignored (sendmail options with no meaning here)
 *
 * Recipients given as arguments may be lists ("a@example.org, Bob <b@example.org>"). Bcc: is
 * always removed from the queued message so that blind copies stay blind (the outbox's writer
 * does it, for the listener's mail too). The exit status is 0
 * only once the message is durably queued (poste_outbox_writer_commit()); 5 for a usage error
 * or an unusable address, 10 when the outbox could not store it. Nothing is printed on success
 * (with -v the queue identifier goes to standard error).
 */
#include "config.h"

#include <gio/gunixinputstream.h>
#include <glib/gi18n.h>
#include <string.h>

#include "poste-cli.h"
#include "poste-outbox.h"
#include "poste-outbox-listener.h"
#include "poste-outbox-submit.h"
#include "poste-secrets.h"

#define READ_CHUNK (64 * 1024)

/* Without -i, a line holding a single dot ends the message (sendmail's historical rule). */
typedef enum {
  DOT_BOL,
  DOT_MID,
  DOT_DOT,     /* "." at the start of a line is held */
  DOT_DOT_CR,  /* ".\r" is held */
  DOT_END,
} DotState;

typedef struct {
  gboolean  ignore_dots;
  DotState  state;
} DotFilter;

static void
dot_filter (DotFilter    *f,
            const guint8 *data,
            gsize         length,
            GByteArray   *out)
{
  if (f->ignore_dots)
    {
      g_byte_array_append (out, data, (guint) length);
      return;
    }
  for (gsize i = 0; i < length && f->state != DOT_END; i++)
    {
      guint8 c = data[i];

      switch (f->state)
        {
        case DOT_BOL:
          if (c == '.')
            {
              f->state = DOT_DOT;
              continue;
            }
          break;
        case DOT_DOT:
          if (c == '\n')
            {
              f->state = DOT_END;
              continue;
            }
          if (c == '\r')
            {
              f->state = DOT_DOT_CR;
              continue;
            }
          g_byte_array_append (out, (const guint8 *) ".", 1);
          break;
        case DOT_DOT_CR:
          if (c == '\n')
            {
              f->state = DOT_END;
              continue;
            }
          g_byte_array_append (out, (const guint8 *) ".\r", 2);
          break;
        case DOT_MID:
        case DOT_END:
        default:
          break;
        }
      g_byte_array_append (out, &c, 1);
      f->state = c == '\n' ? DOT_BOL : DOT_MID;
    }
}

static void
dot_filter_end (DotFilter  *f,
                GByteArray *out)
{
  if (f->ignore_dots)
    return;
  if (f->state == DOT_DOT)
    g_byte_array_append (out, (const guint8 *) ".", 1);
  else if (f->state == DOT_DOT_CR)
    g_byte_array_append (out, (const guint8 *) ".\r", 2);
}

static void
print_usage (PosteCli *cli)
{
  g_print (_("Usage: %s send [-f SENDER] [-t] [-i] [RECIPIENT...] < MESSAGE\n\n"
             "Queue a message read from standard input in the outbox, sendmail style. It\n"
             "leaves with the next fetch from the provider whose domains hold the sender.\n\n"
             "  -f SENDER   the envelope sender (default: the first address of From:)\n"
             "  -t          also send to the addresses of To:, Cc: and Bcc:\n"
             "  -i, -oi     a line with a single dot does not end the message\n"
             "Other sendmail options (-F, -o..., -B, -N, -R, -V, -bm, -v) are accepted and\n"
             "ignored. Bcc: is removed from the queued message.\n"), cli->prgname);
}

/* A queued message leaves only through the submission server of a provider whose domains hold
 * its sender: say so now when none will ever take it, rather than let it wait unseen. The
 * message stays queued (the configuration may change); a broken configuration is left for fetch
 * to report. */
static void
warn_if_stuck (PosteCli   *cli,
               const char *sender)
{
  g_autoptr(PosteConfig) config = poste_cli_load_config (cli, TRUE, NULL);
  g_autofree char *path = NULL;
  GListModel *providers;

  if (config == NULL)
    return;
  if (poste_config_get_path (config) != NULL)
    path = g_strdup (poste_config_get_path (config));
  else if (cli->config_path != NULL)
    path = g_strdup (cli->config_path);
  else
    path = poste_config_dup_default_path ();
  providers = poste_config_get_providers (config);
  for (guint i = 0; i < g_list_model_get_n_items (providers); i++)
    {
      g_autoptr(PosteProvider) provider = g_list_model_get_item (providers, i);

      if (!poste_outbox_sender_belongs (provider, sender))
        continue;
      if (poste_provider_get_submission (provider) == NULL)
        poste_cli_error (cli, _("send: warning: provider %s has no submission server "
                                "(submission=HOST:PORT in %s); the message waits in the outbox "
                                "until it has one"),
                         poste_provider_get_name (provider), path);
      return;
    }
  poste_cli_error (cli, _("send: warning: the domain of the sender %s is in no provider's "
                          "domains= in %s; the message waits in the outbox until one holds it"),
                   sender, path);
}

/* sendmail's options that take a value, as a separate argument or stuck to the letter. */
static gboolean
takes_value (char letter)
{
  return strchr ("fFrBNRVLXCho", letter) != NULL;
}

static void
add_addresses (GPtrArray  *recipients,
               GPtrArray  *found)
{
  for (guint i = 0; i < found->len; i++)
    {
      gboolean seen = FALSE;

      for (guint j = 0; j < recipients->len && !seen; j++)
        seen = g_ascii_strcasecmp (recipients->pdata[j], found->pdata[i]) == 0;
      if (!seen)
        g_ptr_array_add (recipients, g_strdup (found->pdata[i]));
    }
}

/**
 * poste_cli_send:
 * @cli: the global options
 * @argc: the argument count (argv[0] is "send")
 * @argv: sendmail's options and the recipients
 *
 * Queues the message on standard input (see the top of cmd-send.c).
 *
 * Returns: 0 once queued, 5 for a usage error, 10 when the outbox could not store it
 */
int
poste_cli_send (PosteCli  *cli,
                int        argc,
                char     **argv)
{
  g_autofree char *sender = NULL;
  g_autoptr(GPtrArray) recipients = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) arguments = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GInputStream) input = NULL;
  g_autoptr(GBytes) raw_head = NULL;
  g_autoptr(GBytes) head = NULL;
  g_autoptr(GByteArray) filtered = g_byte_array_new ();
  g_autoptr(PosteOutbox) outbox = NULL;
  g_autoptr(PosteOutboxWriter) writer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *buffer = NULL;
  g_autofree char *id = NULL;
  DotFilter filter = { FALSE, DOT_BOL };
  gboolean from_headers = FALSE;
  gboolean options = TRUE;

  for (int i = 1; i < argc; i++)
    {
      const char *arg = argv[i];

      if (!options || arg[0] != '-' || arg[1] == '\0')
        {
          g_ptr_array_add (arguments, g_strdup (arg));
          continue;
        }
      if (g_str_equal (arg, "--"))
        {
          options = FALSE;
          continue;
        }
      if (g_str_equal (arg, "--help") || g_str_equal (arg, "-h") || g_str_equal (arg, "-?"))
        {
          print_usage (cli);
          return 0;
        }
      if (g_str_equal (arg, "-t"))
        from_headers = TRUE;
      else if (g_str_equal (arg, "-i") || g_str_equal (arg, "-oi"))
        filter.ignore_dots = TRUE;
      else if (g_str_equal (arg, "-bm") || g_str_equal (arg, "-v") || g_str_equal (arg, "-U") ||
               g_str_equal (arg, "-em") || g_str_equal (arg, "-ep") ||
               g_str_equal (arg, "-eq") || g_str_equal (arg, "-ew") || g_str_equal (arg, "-n"))
        continue;
      else if (arg[1] == 'b')
        {
          poste_cli_error (cli, _("send: sendmail mode '%s' is not supported (only -bm)"), arg);
          return POSTE_EXIT_USAGE;
        }
      else if (takes_value (arg[1]))
        {
          const char *value = arg[2] != '\0' ? arg + 2 : NULL;

          /* -o takes its value stuck to it (-oi, -odb, -oem): never the next argument. */
          if (value == NULL && arg[1] != 'o')
            {
              if (i + 1 >= argc)
                {
                  poste_cli_error (cli, _("send: option %s needs a value"), arg);
                  return POSTE_EXIT_USAGE;
                }
              value = argv[++i];
            }
          if (arg[1] == 'f' || arg[1] == 'r')
            {
              g_free (sender);
              /* "-f <a@b>" is common too. */
              sender = g_strdup (value);
              if (sender[0] == '<' && g_str_has_suffix (sender, ">"))
                {
                  sender[strlen (sender) - 1] = '\0';
                  memmove (sender, sender + 1, strlen (sender));
                }
            }
        }
      else
        {
          poste_cli_error (cli, _("send: unknown option '%s' (see send --help)"), arg);
          return POSTE_EXIT_USAGE;
        }
    }

  if (!from_headers && arguments->len == 0)
    {
      poste_cli_error (cli, _("send: no recipients (give them as arguments, or -t)"));
      return POSTE_EXIT_USAGE;
    }
  for (guint i = 0; i < arguments->len; i++)
    {
      g_autofree char *header = g_strdup_printf ("To: %s\n\n", (char *) arguments->pdata[i]);
      g_autoptr(GBytes) bytes = g_bytes_new (header, strlen (header));
      const char *to[] = { "To", NULL };
      g_autoptr(GPtrArray) found = poste_outbox_header_addresses (bytes, to);

      if (found->len == 0)
        {
          poste_cli_error (cli, _("send: '%s' is not a mail address"),
                           (char *) arguments->pdata[i]);
          return POSTE_EXIT_USAGE;
        }
      add_addresses (recipients, found);
    }

  input = g_unix_input_stream_new (0, FALSE);
  raw_head = poste_outbox_read_head (input, NULL, &error);
  if (raw_head == NULL)
    {
      poste_cli_error (cli, _("send: %s; nothing was queued"), error->message);
      return POSTE_EXIT_USAGE;
    }
  dot_filter (&filter, g_bytes_get_data (raw_head, NULL), g_bytes_get_size (raw_head), filtered);
  head = g_byte_array_free_to_bytes (g_steal_pointer (&filtered));

  if (from_headers)
    {
      const char *fields[] = { "To", "Cc", "Bcc", NULL };
      g_autoptr(GPtrArray) found = poste_outbox_header_addresses (head, fields);

      add_addresses (recipients, found);
    }
  if (recipients->len == 0)
    {
      poste_cli_error (cli, _("send: the message has no recipients (no To:, Cc: or Bcc:); "
                              "nothing was queued"));
      return POSTE_EXIT_USAGE;
    }
  if (sender == NULL)
    {
      const char *fields[] = { "From", NULL };
      g_autoptr(GPtrArray) found = poste_outbox_header_addresses (head, fields);

      if (found->len == 0)
        {
          poste_cli_error (cli, _("send: no sender: give -f ADDRESS or a From: header; "
                                  "nothing was queued"));
          return POSTE_EXIT_USAGE;
        }
      sender = g_strdup (found->pdata[0]);
    }
  g_ptr_array_add (recipients, NULL);
  outbox = poste_outbox_new (NULL);
  writer = poste_outbox_writer_new (outbox, sender, (const char * const *) recipients->pdata,
                                    &error);
  if (writer == NULL)
    {
      poste_cli_error (cli, _("send: %s; nothing was queued"), error->message);
      return g_error_matches (error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_INVALID)
        ? POSTE_EXIT_USAGE : POSTE_EXIT_DELIVERY;
    }
  if (!poste_outbox_writer_write (writer, g_bytes_get_data (head, NULL), g_bytes_get_size (head),
                                  &error))
    goto failed;

  buffer = g_malloc (READ_CHUNK);
  filtered = g_byte_array_sized_new (READ_CHUNK + 2);
  while (filter.state != DOT_END)
    {
      gssize n = g_input_stream_read (input, buffer, READ_CHUNK, NULL, &error);

      if (n < 0)
        goto failed;
      g_byte_array_set_size (filtered, 0);
      if (n == 0)
        dot_filter_end (&filter, filtered);
      else
        dot_filter (&filter, buffer, (gsize) n, filtered);
      if (filtered->len > 0 &&
          !poste_outbox_writer_write (writer, filtered->data, filtered->len, &error))
        goto failed;
      if (n == 0)
        break;
    }

  id = poste_outbox_writer_commit (writer, &error);
  if (id == NULL)
    goto failed;
  if (cli->verbose)
    g_printerr (_("send: queued as %s in %s\n"), id, poste_outbox_get_path (outbox));
  warn_if_stuck (cli, sender);
  return 0;

failed:
  poste_cli_error (cli, _("send: %s; nothing was queued"), error->message);
  return g_error_matches (error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_TOO_BIG)
    ? POSTE_EXIT_USAGE : POSTE_EXIT_DELIVERY;
}

/**
 * poste_cli_outbox_listener_start:
 * @cli: the global options
 * @config: the configuration
 * @error: return location for a #GError
 *
 * Starts the outbox's SMTP listener when the configuration's `[outbox]` group has `listen=`
 * (a loopback address), on `port=` (default %POSTE_OUTBOX_LISTENER_PORT), and says so on
 * standard output.
 *
 * Returns: (transfer full) (nullable): the listener, or %NULL (with @error set when it could not
 *   start; unset when the listener is not configured)
 */
PosteOutboxListener *
poste_cli_outbox_listener_start (PosteCli     *cli,
                                 PosteConfig  *config,
                                 GError      **error)
{
  const char *address = poste_config_get_outbox_listen (config);
  guint port = poste_config_get_outbox_port (config);
  g_autoptr(PosteOutbox) outbox = NULL;
  g_autoptr(PosteOutboxListener) listener = NULL;
  guint16 bound;

  if (address == NULL || *address == '\0')
    return NULL;
  outbox = poste_outbox_new (NULL);
  listener = poste_outbox_listener_new (outbox);
  bound = poste_outbox_listener_start (listener, address,
                                       port != 0 ? (guint16) port : POSTE_OUTBOX_LISTENER_PORT,
                                       error);
  if (bound == 0)
    return NULL;
  g_print (_("Outbox listening on %s port %u\n"), address, bound);
  return g_steal_pointer (&listener);
}
