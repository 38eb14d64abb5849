/* poste-fetchmailrc.c: turning fetchmail's ODMR poll entries into providers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The syntax is fetchmail's (fetchmail(1), "THE RUN CONTROL FILE", and its rcfile_l.l lexer):
 * free-form keywords; strings in double or single quotes with C escapes; '#' to the end of the
 * line is a comment; ',', ';' and ':' separate words like white space; the words "and", "with",
 * "has", "wants" and "options" are noise. A file is a list of `set` statements and entries
 * (`poll NAME`, `skip NAME`, `defaults`); an entry has server options, then one or more user
 * descriptions (`user NAME` followed by user options). The options of a `defaults` entry apply
 * to every later entry.
 *
 * Reading happens in two steps: poste-fetchmailrc-lexer.c turns the text into clauses (a keyword
 * and its arguments, with the line); here every user of every ODMR entry becomes a provider.
 * Whatever has no equivalent is listed in the notes, never dropped silently.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "poste-config.h"
#include "poste-error.h"
#include "poste-fetchmailrc.h"
#include "poste-fetchmailrc-private.h"
#include "poste-target.h"

static void
fetchmailrc_entry_free (PosteFetchmailrcEntry *entry)
{
  g_clear_object (&entry->provider);
  if (entry->password != NULL)
    explicit_bzero (entry->password, strlen (entry->password));
  g_free (entry->password);
  g_free (entry);
}

/**
 * poste_fetchmailrc_free:
 * @rc: (transfer full): a #PosteFetchmailrc
 *
 * Frees @rc, overwriting the passwords it held.
 */
void
poste_fetchmailrc_free (PosteFetchmailrc *rc)
{
  if (rc == NULL)
    return;
  g_ptr_array_unref (rc->entries);
  g_ptr_array_unref (rc->notes);
  g_free (rc);
}

static char *
provider_name (const char *poll_name,
               GHashTable *taken)
{
  GString *name = g_string_new (NULL);
  g_autofree char *base = NULL;
  guint n = 2;

  for (const char *p = poll_name; *p != '\0' && name->len < 56; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isalnum (c) || (c < 0x80 && strchr ("._-+@", (int) c) != NULL))
        g_string_append_unichar (name, c);
      else
        g_string_append_c (name, '-');
    }
  if (name->len == 0)
    g_string_append (name, "provider");
  base = g_string_free (name, FALSE);

  if (!g_hash_table_contains (taken, base))
    {
      g_hash_table_add (taken, g_strdup (base));
      return g_steal_pointer (&base);
    }
  for (;; n++)
    {
      char *candidate = g_strdup_printf ("%s-%u", base, n);

      if (!g_hash_table_contains (taken, candidate))
        {
          g_hash_table_add (taken, g_strdup (candidate));
          return candidate;
        }
      g_free (candidate);
    }
}

static const char *
first_arg (const Clause *clause)
{
  return clause->args->len > 0 ? clause->args->pdata[0] : NULL;
}

static gboolean
keyword_is (const Clause *clause,
            const char   *a,
            const char   *b)
{
  return g_str_equal (clause->keyword->name, a) || (b != NULL && g_str_equal (clause->keyword->name, b));
}

/* fetchmail's smtphost: HOST, HOST/PORT, or an absolute path (an LMTP socket). */
static char *
smtphost_target (const char *spec,
                 gboolean    lmtp)
{
  const char *slash = strrchr (spec, '/');
  g_autofree char *host = NULL;
  const char *port = NULL;
  g_autofree char *location = NULL;
  g_autoptr(PosteTarget) target = NULL;

  if (spec[0] == '/')
    target = lmtp ? poste_target_new (POSTE_TARGET_KIND_LMTP_SOCKET, spec, NULL) : NULL;
  if (spec[0] == '/')
    return target != NULL ? g_strdup (poste_target_get_spec (target)) : NULL;
  if (slash != NULL)
    {
      host = g_strndup (spec, slash - spec);
      port = slash + 1;
    }
  else
    {
      host = g_strdup (spec);
      port = lmtp ? NULL : "25";
    }
  if (port == NULL)
    return NULL;
  if (host[0] == '[' && g_str_has_suffix (host, "]"))
    {
      char *bare = g_strndup (host + 1, strlen (host) - 2);

      g_free (host);
      host = bare;
    }
  if (strchr (host, ':') != NULL)
    location = g_strdup_printf ("[%s]:%s", host, port);
  else
    location = g_strdup_printf ("%s:%s", host, port);
  /* The one description of targets decides whether what fetchmail had is one. */
  target = poste_target_new (lmtp ? POSTE_TARGET_KIND_LMTP : POSTE_TARGET_KIND_SMTP, location, NULL);
  return target != NULL ? g_strdup (poste_target_get_spec (target)) : NULL;
}

static void
not_carried (GPtrArray    *notes,
             const char   *filename,
             const Entry  *entry,
             const Clause *clause,
             const char   *reason)
{
  g_autofree char *text = _poste_fetchmailrc_clause_text (clause);

  _poste_fetchmailrc_add_note (notes, _("not carried over: "), "%s:%u: %s %s: '%s': %s", filename, clause->line,
            entry->skip ? "skip" : "poll", entry->name, text, reason);
}

/* Turns one user of one ODMR entry into a provider. */
static PosteFetchmailrcEntry *
make_provider (const char  *filename,
               const Entry *entry,
               GPtrArray   *clauses,
               guint        daemon_seconds,
               GHashTable  *taken,
               GPtrArray   *notes)
{
  g_autoptr(PosteProvider) provider = NULL;
  g_autofree char *name = provider_name (entry->name, taken);
  g_autofree char *password = NULL;
  g_autofree char *delivery = NULL;
  g_autoptr(GPtrArray) domains = g_ptr_array_new_with_free_func (g_free);
  const char *host = entry->name;
  gboolean ssl = FALSE;
  gboolean lmtp = FALSE;
  gboolean port_set = FALSE;
  guint poll_every = 1;
  const Clause *smtphost = NULL;
  PosteFetchmailrcEntry *result;

  provider = poste_provider_new (name);

  for (guint i = 0; i < clauses->len; i++)
    {
      const Clause *c = clauses->pdata[i];

      if (keyword_is (c, "lmtp", NULL) && !c->negated)
        lmtp = TRUE;
    }

  for (guint i = 0; i < clauses->len; i++)
    {
      const Clause *c = clauses->pdata[i];
      const char *arg = first_arg (c);

      if (keyword_is (c, "protocol", "proto"))
        continue;
      else if (keyword_is (c, "via", NULL))
        host = arg;
      else if (keyword_is (c, "port", "service"))
        {
          guint64 port;

          if (g_ascii_strcasecmp (arg, "odmr") == 0)
            poste_provider_set_port (provider, POSTE_ODMR_PORT);
          else if (g_ascii_string_to_unsigned (arg, 10, 1, 65535, &port, NULL))
            poste_provider_set_port (provider, (guint) port);
          else
            {
              not_carried (notes, filename, entry, c, _("not a port number"));
              continue;
            }
          port_set = TRUE;
        }
      else if (keyword_is (c, "auth", "authenticate"))
        {
          if (g_ascii_strcasecmp (arg, "cram-md5") == 0)
            poste_provider_set_auth (provider, POSTE_AUTH_CRAM_MD5);
          else if (g_ascii_strcasecmp (arg, "external") == 0)
            poste_provider_set_auth (provider, POSTE_AUTH_EXTERNAL);
          else if (g_ascii_strcasecmp (arg, "password") == 0 || g_ascii_strcasecmp (arg, "any") == 0)
            poste_provider_set_auth (provider, POSTE_AUTH_AUTO);
          else
            not_carried (notes, filename, entry, c,
                         _("not a SASL mechanism this program has; auth=auto picks the strongest"));
        }
      else if (keyword_is (c, "user", "username"))
        poste_provider_set_username (provider, arg);
      else if (keyword_is (c, "password", "pass"))
        {
          g_free (password);
          password = g_strdup (arg);
        }
      else if (keyword_is (c, "ssl", NULL))
        ssl = !c->negated;
      else if (keyword_is (c, "sslcertck", NULL))
        {
          if (c->negated)
            not_carried (notes, filename, entry, c,
                         _("certificates are always verified; pin one with pinned-sha256="));
        }
      else if (keyword_is (c, "sslfingerprint", NULL))
        {
          GString *hex = g_string_new (NULL);

          for (const char *p = arg; *p != '\0'; p++)
            if (g_ascii_isxdigit (*p))
              g_string_append_c (hex, g_ascii_tolower (*p));
            else if (*p != ':')
              {
                g_string_truncate (hex, 0);
                break;
              }
          if (hex->len == 64)
            poste_provider_set_pinned_sha256 (provider, hex->str);
          else
            not_carried (notes, filename, entry, c,
                         _("not a SHA-256 fingerprint (an MD5 one?); pin the SHA-256 fingerprint "
                           "that 'poste-restante-cli check' shows"));
          g_string_free (hex, TRUE);
        }
      else if (keyword_is (c, "sslcertfile", NULL))
        poste_provider_set_ca_file (provider, arg);
      else if (keyword_is (c, "fetchdomains", NULL))
        {
          for (guint k = 0; k < c->args->len; k++)
            {
              const char *domain = c->args->pdata[k];
              g_autoptr(GError) local_error = NULL;

              if (poste_config_check_domain (domain, NULL, &local_error))
                g_ptr_array_add (domains, g_strdup (domain));
              else
                not_carried (notes, filename, entry, c, local_error->message);
            }
        }
      else if (keyword_is (c, "smtphost", "smtphosts"))
        {
          smtphost = c;
          if (c->args->len > 1)
            not_carried (notes, filename, entry, c,
                         _("only the first host is used; fall-back hosts are not supported"));
        }
      else if (keyword_is (c, "lmtp", NULL))
        continue;
      else if (keyword_is (c, "interval", NULL))
        {
          guint64 every;

          if (g_ascii_string_to_unsigned (arg, 10, 1, 10000, &every, NULL))
            poll_every = (guint) every;
          else
            not_carried (notes, filename, entry, c, _("not a number"));
        }
      else if (keyword_is (c, "is", "to") || keyword_is (c, "here", "there"))
        not_carried (notes, filename, entry, c,
                     _("no local user mapping: ODMR delivers by the envelope recipients"));
      else if (keyword_is (c, "mda", "bsmtp") || keyword_is (c, "keep", "fetchall")
               || keyword_is (c, "flush", "limitflush") || keyword_is (c, "folder", "folders")
               || keyword_is (c, "uidl", "fastuidl") || keyword_is (c, "expunge", "idle"))
        not_carried (notes, filename, entry, c, _("fetchmail ignores it in ODMR mode too"));
      else
        not_carried (notes, filename, entry, c, _("no equivalent"));
    }

  poste_provider_set_host (provider, host);

  if (ssl)
    {
      poste_provider_set_security (provider, POSTE_SECURITY_TLS);
      if (!port_set)
        _poste_fetchmailrc_add_note (notes, _("note: "),
                  _("%s:%u: provider %s: 'ssl' without a port: implicit TLS on port %u; set "
                    "port= if the provider uses another"),
                  filename, entry->line, name, POSTE_ODMR_PORT);
    }
  else
    _poste_fetchmailrc_add_note (notes, _("note: "),
              _("%s:%u: provider %s: fetchmail never uses TLS here, Poste Restante requires "
                "STARTTLS (security=starttls); set security=none only if the provider has no TLS"),
              filename, entry->line, name);

  if (smtphost != NULL)
    {
      delivery = smtphost_target (first_arg (smtphost), lmtp);
      if (delivery == NULL)
        not_carried (notes, filename, entry, smtphost,
                     lmtp ? _("an LMTP host needs a port (HOST/PORT)")
                          : _("a socket path needs 'lmtp'"));
    }
  if (delivery == NULL)
    {
      delivery = g_strdup (lmtp ? "lmtp:/var/run/lmtp" : "smtp://localhost:25");
      if (lmtp)
        _poste_fetchmailrc_add_note (notes, _("note: "),
                  _("%s:%u: provider %s: no LMTP smtphost: set delivery= by hand"),
                  filename, entry->line, name);
      else
        _poste_fetchmailrc_add_note (notes, _("note: "),
                  _("%s:%u: provider %s: delivery=smtp://localhost:25, fetchmail's default smtphost"),
                  filename, entry->line, name);
    }
  poste_provider_set_delivery (provider, delivery);

  g_ptr_array_add (domains, NULL);
  poste_provider_set_domains (provider, (const char * const *) domains->pdata);

  if (entry->skip || daemon_seconds == 0)
    {
      poste_provider_set_interval (provider, 0);
      _poste_fetchmailrc_add_note (notes, _("note: "),
                entry->skip ? _("%s:%u: provider %s: a 'skip' entry: interval=0, fetched on demand only")
                            : _("%s:%u: provider %s: no 'set daemon': interval=0, fetched on demand only"),
                filename, entry->line, name);
    }
  else
    {
      guint64 minutes = ((guint64) daemon_seconds * poll_every + 59) / 60;

      poste_provider_set_interval (provider, (guint) CLAMP (minutes, 1, 7 * 24 * 60));
    }

  if (poste_provider_get_username (provider) == NULL)
    _poste_fetchmailrc_add_note (notes, _("note: "), _("%s:%u: provider %s: no 'user': set username= by hand"),
              filename, entry->line, name);
  if (password == NULL && poste_provider_get_auth (provider) != POSTE_AUTH_EXTERNAL)
    _poste_fetchmailrc_add_note (notes, _("note: "),
              _("%s:%u: provider %s: no password: fetchmail would ask for it; store one in the "
                "keyring or set password-file="),
              filename, entry->line, name);

  result = g_new0 (PosteFetchmailrcEntry, 1);
  result->provider = g_steal_pointer (&provider);
  result->password = g_steal_pointer (&password);
  result->line = entry->line;
  return result;
}

/**
 * poste_fetchmailrc_parse:
 * @text: the file's text
 * @length: its length in bytes, or -1 when NUL-terminated
 * @filename: the file's name, for messages
 * @error: a #GError, or %NULL
 *
 * Reads a fetchmailrc and turns every user of every ODMR entry (`protocol ODMR`) into a provider:
 * the poll name (or `via`) as host, `service`/`port`, `user`, `password` (returned for the
 * keyring, never put in the provider), `fetchdomains` as domains, the first `smtphost` as an
 * smtp:// (or, with `lmtp`, lmtp://) delivery target, `ssl` as implicit TLS, `sslfingerprint`
 * (SHA-256) as the pin, `sslcertfile` as the CA file, `set daemon` (and `interval`) as the
 * interval. Entries of other protocols, global settings and options with no equivalent are
 * listed in the notes.
 *
 * Returns: (transfer full) (nullable): the providers and the notes; %NULL with
 *   %POSTE_CONFIG_ERROR_PARSE ("FILE:LINE: ...") when the syntax is broken
 */
PosteFetchmailrc *
poste_fetchmailrc_parse (const char  *text,
                         gssize       length,
                         const char  *filename,
                         GError     **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) globals = g_ptr_array_new_with_free_func ((GDestroyNotify) _poste_fetchmailrc_clause_free);
  g_autoptr(GHashTable) taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(PosteFetchmailrc) rc = g_new0 (PosteFetchmailrc, 1);
  const Entry *defaults = NULL;
  guint daemon_seconds = 0;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (filename != NULL, NULL);

  if (length < 0)
    length = strlen (text);

  rc->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) fetchmailrc_entry_free);
  rc->notes = g_ptr_array_new_with_free_func (g_free);

  if ((gsize) length > POSTE_FETCHMAILRC_MAX_SIZE)
    {
      g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_PARSE,
                   _("%s: larger than %d bytes"), filename, POSTE_FETCHMAILRC_MAX_SIZE);
      return NULL;
    }

  entries = _poste_fetchmailrc_read (text, length, filename, rc->notes, globals, error);
  if (entries == NULL)
    return NULL;

  for (guint i = 0; i < globals->len; i++)
    {
      const Clause *c = globals->pdata[i];
      guint64 seconds;

      if (g_str_equal (c->keyword->name, "daemon") && !c->negated
          && g_ascii_string_to_unsigned (first_arg (c), 10, 0, G_MAXUINT, &seconds, NULL))
        daemon_seconds = (guint) seconds;
      else
        {
          g_autofree char *clause = _poste_fetchmailrc_clause_text (c);

          _poste_fetchmailrc_add_note (rc->notes, _("not carried over: "), _("%s:%u: 'set %s': a fetchmail setting"),
                    filename, c->line, clause);
        }
    }

  for (guint i = 0; i < entries->len; i++)
    {
      const Entry *entry = entries->pdata[i];
      g_autoptr(GPtrArray) server = g_ptr_array_new ();
      const char *protocol = NULL;

      if (entry->name == NULL)
        {
          defaults = entry;
          continue;
        }

      /* The defaults first, then the entry's own options override them. */
      if (defaults != NULL)
        {
          g_ptr_array_extend (server, defaults->server, NULL, NULL);
          for (guint u = 0; u < defaults->users->len; u++)
            g_ptr_array_extend (server, defaults->users->pdata[u], NULL, NULL);
        }
      g_ptr_array_extend (server, entry->server, NULL, NULL);

      for (guint k = 0; k < server->len; k++)
        {
          const Clause *c = server->pdata[k];

          if (keyword_is (c, "protocol", "proto"))
            protocol = first_arg (c);
        }

      if (protocol == NULL || g_ascii_strcasecmp (protocol, "odmr") != 0)
        {
          _poste_fetchmailrc_add_note (rc->notes, _("not carried over: "),
                    _("%s:%u: %s %s: protocol %s is not ODMR, the entry is not imported"),
                    filename, entry->line, entry->skip ? "skip" : "poll", entry->name,
                    protocol != NULL ? protocol : "auto");
          continue;
        }

      if (entry->users->len == 0)
        {
          g_autoptr(GPtrArray) clauses = g_ptr_array_new ();

          g_ptr_array_extend (clauses, server, NULL, NULL);
          g_ptr_array_add (rc->entries,
                           make_provider (filename, entry, clauses, daemon_seconds, taken,
                                          rc->notes));
          continue;
        }
      for (guint u = 0; u < entry->users->len; u++)
        {
          g_autoptr(GPtrArray) clauses = g_ptr_array_new ();

          g_ptr_array_extend (clauses, server, NULL, NULL);
          g_ptr_array_extend (clauses, entry->users->pdata[u], NULL, NULL);
          g_ptr_array_add (rc->entries,
                           make_provider (filename, entry, clauses, daemon_seconds, taken,
                                          rc->notes));
        }
    }

  return g_steal_pointer (&rc);
}

/**
 * poste_fetchmailrc_parse_file:
 * @path: a fetchmailrc
 * @error: a #GError, or %NULL
 *
 * Reads @path (at most %POSTE_FETCHMAILRC_MAX_SIZE bytes) with poste_fetchmailrc_parse().
 *
 * Returns: (transfer full) (nullable): the providers and notes, or %NULL with a
 *   %G_FILE_ERROR or %POSTE_CONFIG_ERROR
 */
PosteFetchmailrc *
poste_fetchmailrc_parse_file (const char  *path,
                              GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) input = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  PosteFetchmailrc *rc;
  gsize length = 0;

  input = g_file_read (file, NULL, &local_error);
  if (input == NULL)
    {
      g_set_error (error, G_FILE_ERROR,
                   g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)
                     ? G_FILE_ERROR_NOENT : G_FILE_ERROR_FAILED,
                   "%s: %s", path, local_error->message);
      return NULL;
    }
  data = g_malloc (POSTE_FETCHMAILRC_MAX_SIZE + 2);
  if (!g_input_stream_read_all (G_INPUT_STREAM (input), data, POSTE_FETCHMAILRC_MAX_SIZE + 1,
                                &length, NULL, &local_error))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_IO, "%s: %s", path, local_error->message);
      return NULL;
    }
  data[length] = '\0';
  rc = poste_fetchmailrc_parse (data, length, path, error);
  explicit_bzero (data, length);
  return rc;
}
