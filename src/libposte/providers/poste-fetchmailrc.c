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
 * Reading happens in two steps: the text becomes clauses (a keyword and its arguments, with the
 * line), then every user of every ODMR entry becomes a provider. Whatever has no equivalent is
 * listed in the notes, never dropped silently.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "poste-config.h"
#include "poste-error.h"
#include "poste-fetchmailrc.h"
#include "poste-target.h"

/* How many arguments a keyword takes. */
typedef enum {
  ARGS_NONE,
  ARGS_ONE,
  ARGS_LIST,      /* one or more words, up to the next keyword */
  ARGS_MAPPING,   /* is/to: names up to "here", "there" or the next keyword */
  ARGS_ENVELOPE,  /* envelope [N] HEADER */
  ARGS_NEGATED,   /* no KEYWORD */
} Args;

typedef enum {
  KIND_ENTRY,     /* poll, skip, defaults */
  KIND_SET,
  KIND_SERVER,
  KIND_USER,
  KIND_GLOBAL,    /* only after set */
} Kind;

typedef struct {
  const char *name;
  Kind        kind;
  Args        args;
} Keyword;

static const Keyword keywords[] = {
  { "poll", KIND_ENTRY, ARGS_ONE },
  { "skip", KIND_ENTRY, ARGS_ONE },
  { "defaults", KIND_ENTRY, ARGS_NONE },
  { "set", KIND_SET, ARGS_NONE },

  /* Server options. */
  { "via", KIND_SERVER, ARGS_ONE },
  { "protocol", KIND_SERVER, ARGS_ONE },
  { "proto", KIND_SERVER, ARGS_ONE },
  { "port", KIND_SERVER, ARGS_ONE },
  { "service", KIND_SERVER, ARGS_ONE },
  { "auth", KIND_SERVER, ARGS_ONE },
  { "authenticate", KIND_SERVER, ARGS_ONE },
  { "timeout", KIND_SERVER, ARGS_ONE },
  { "envelope", KIND_SERVER, ARGS_ENVELOPE },
  { "qvirtual", KIND_SERVER, ARGS_ONE },
  { "localdomains", KIND_SERVER, ARGS_LIST },
  { "local", KIND_SERVER, ARGS_LIST },
  { "interface", KIND_SERVER, ARGS_ONE },
  { "monitor", KIND_SERVER, ARGS_ONE },
  { "plugin", KIND_SERVER, ARGS_ONE },
  { "plugout", KIND_SERVER, ARGS_ONE },
  { "dns", KIND_SERVER, ARGS_NONE },
  { "checkalias", KIND_SERVER, ARGS_NONE },
  { "uidl", KIND_SERVER, ARGS_NONE },
  { "aka", KIND_SERVER, ARGS_LIST },
  { "principal", KIND_SERVER, ARGS_ONE },
  { "esmtpname", KIND_SERVER, ARGS_ONE },
  { "esmtppassword", KIND_SERVER, ARGS_ONE },
  { "tracepolls", KIND_SERVER, ARGS_NONE },
  { "interval", KIND_SERVER, ARGS_ONE },
  { "bad-header", KIND_SERVER, ARGS_ONE },

  /* User options. */
  { "user", KIND_USER, ARGS_ONE },
  { "username", KIND_USER, ARGS_ONE },
  { "is", KIND_USER, ARGS_MAPPING },
  { "to", KIND_USER, ARGS_MAPPING },
  { "here", KIND_USER, ARGS_NONE },
  { "there", KIND_USER, ARGS_NONE },
  { "pass", KIND_USER, ARGS_ONE },
  { "password", KIND_USER, ARGS_ONE },
  { "ssl", KIND_USER, ARGS_NONE },
  { "sslcert", KIND_USER, ARGS_ONE },
  { "sslkey", KIND_USER, ARGS_ONE },
  { "sslproto", KIND_USER, ARGS_ONE },
  { "sslcertck", KIND_USER, ARGS_NONE },
  { "sslcertfile", KIND_USER, ARGS_ONE },
  { "sslcertpath", KIND_USER, ARGS_ONE },
  { "sslcommonname", KIND_USER, ARGS_ONE },
  { "sslfingerprint", KIND_USER, ARGS_ONE },
  { "smtphost", KIND_USER, ARGS_LIST },
  { "smtphosts", KIND_USER, ARGS_LIST },
  { "fetchdomains", KIND_USER, ARGS_LIST },
  { "smtpaddress", KIND_USER, ARGS_ONE },
  { "smtpname", KIND_USER, ARGS_ONE },
  { "antispam", KIND_USER, ARGS_LIST },
  { "mda", KIND_USER, ARGS_ONE },
  { "bsmtp", KIND_USER, ARGS_ONE },
  { "lmtp", KIND_USER, ARGS_NONE },
  { "preconnect", KIND_USER, ARGS_ONE },
  { "postconnect", KIND_USER, ARGS_ONE },
  { "keep", KIND_USER, ARGS_NONE },
  { "flush", KIND_USER, ARGS_NONE },
  { "limitflush", KIND_USER, ARGS_NONE },
  { "fetchall", KIND_USER, ARGS_NONE },
  { "rewrite", KIND_USER, ARGS_NONE },
  { "forcecr", KIND_USER, ARGS_NONE },
  { "stripcr", KIND_USER, ARGS_NONE },
  { "pass8bits", KIND_USER, ARGS_NONE },
  { "dropstatus", KIND_USER, ARGS_NONE },
  { "dropdelivered", KIND_USER, ARGS_NONE },
  { "mimedecode", KIND_USER, ARGS_NONE },
  { "idle", KIND_USER, ARGS_NONE },
  { "limit", KIND_USER, ARGS_ONE },
  { "warnings", KIND_USER, ARGS_ONE },
  { "batchlimit", KIND_USER, ARGS_ONE },
  { "fetchlimit", KIND_USER, ARGS_ONE },
  { "fetchsizelimit", KIND_USER, ARGS_ONE },
  { "fastuidl", KIND_USER, ARGS_ONE },
  { "expunge", KIND_USER, ARGS_ONE },
  { "folder", KIND_USER, ARGS_LIST },
  { "folders", KIND_USER, ARGS_LIST },
  { "properties", KIND_USER, ARGS_ONE },
  { "showdots", KIND_USER, ARGS_NONE },
  { "no", KIND_USER, ARGS_NEGATED },

  /* Global options, after set. */
  { "daemon", KIND_GLOBAL, ARGS_ONE },
  { "logfile", KIND_GLOBAL, ARGS_ONE },
  { "idfile", KIND_GLOBAL, ARGS_ONE },
  { "pidfile", KIND_GLOBAL, ARGS_ONE },
  { "postmaster", KIND_GLOBAL, ARGS_ONE },
  { "bouncemail", KIND_GLOBAL, ARGS_NONE },
  { "spambounce", KIND_GLOBAL, ARGS_NONE },
  { "softbounce", KIND_GLOBAL, ARGS_NONE },
  { "syslog", KIND_GLOBAL, ARGS_NONE },
  { "invisible", KIND_GLOBAL, ARGS_NONE },
};

static const char * const noise_words[] = { "and", "with", "has", "wants", "options" };

typedef struct {
  char     *text;
  gboolean  quoted;
  guint     line;
} Token;

/* A keyword with its arguments. */
typedef struct {
  const Keyword *keyword;
  GPtrArray     *args;      /* char* */
  guint          line;
  gboolean       negated;   /* no KEYWORD: keyword is the negated one */
} Clause;

typedef struct {
  char      *name;          /* the poll name, NULL for defaults */
  gboolean   skip;
  guint      line;
  GPtrArray *server;        /* Clause*, the server options */
  GPtrArray *users;         /* GPtrArray of Clause* per user */
} Entry;

static void
token_clear (Token *token)
{
  g_free (token->text);
}

static void
clause_free (Clause *clause)
{
  g_ptr_array_unref (clause->args);
  g_free (clause);
}

static void
entry_free (Entry *entry)
{
  g_free (entry->name);
  g_ptr_array_unref (entry->server);
  g_ptr_array_unref (entry->users);
  g_free (entry);
}

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

static const Keyword *
lookup_keyword (const Token *token)
{
  if (token->quoted)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (keywords); i++)
    if (g_ascii_strcasecmp (token->text, keywords[i].name) == 0)
      return &keywords[i];
  return NULL;
}

static gboolean
is_noise (const Token *token)
{
  if (token->quoted)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (noise_words); i++)
    if (g_ascii_strcasecmp (token->text, noise_words[i]) == 0)
      return TRUE;
  return FALSE;
}

/* The escapes of fetchmail's lexer: \b \f \n \r \t \\ \" \' \xHH and octal \NNN. */
static gboolean
read_quoted (const char  **pp,
             const char   *end,
             guint        *line,
             GString      *out)
{
  const char *p = *pp;
  char quote = *p++;

  while (p < end && *p != quote)
    {
      if (*p == '\n')
        (*line)++;
      if (*p == '\\' && p + 1 < end)
        {
          p++;
          switch (*p)
            {
            case 'b': g_string_append_c (out, '\b'); p++; break;
            case 'f': g_string_append_c (out, '\f'); p++; break;
            case 'n': g_string_append_c (out, '\n'); p++; break;
            case 'r': g_string_append_c (out, '\r'); p++; break;
            case 't': g_string_append_c (out, '\t'); p++; break;
            case 'x':
              {
                guint value = 0;
                guint digits = 0;

                p++;
                while (digits < 2 && p < end && g_ascii_isxdigit (*p))
                  {
                    value = value * 16 + g_ascii_xdigit_value (*p);
                    p++;
                    digits++;
                  }
                if (digits == 0)
                  g_string_append_c (out, 'x');
                else
                  g_string_append_c (out, (char) value);
              }
              break;
            default:
              if (*p >= '0' && *p <= '7')
                {
                  guint value = 0;
                  guint digits = 0;

                  while (digits < 3 && p < end && *p >= '0' && *p <= '7')
                    {
                      value = value * 8 + (*p - '0');
                      p++;
                      digits++;
                    }
                  g_string_append_c (out, (char) value);
                }
              else
                {
                  if (*p == '\n')
                    (*line)++;
                  g_string_append_c (out, *p);
                  p++;
                }
            }
          continue;
        }
      g_string_append_c (out, *p);
      p++;
    }
  if (p >= end)
    return FALSE;
  *pp = p + 1;
  return TRUE;
}

static gboolean
is_separator (char c)
{
  return g_ascii_isspace (c) || c == ',' || c == ';' || c == ':';
}

static GArray *
tokenize (const char  *text,
          gsize        length,
          const char  *filename,
          GError     **error)
{
  g_autoptr(GArray) tokens = g_array_new (FALSE, FALSE, sizeof (Token));
  const char *p = text;
  const char *end = text + length;
  guint line = 1;

  g_array_set_clear_func (tokens, (GDestroyNotify) token_clear);

  while (p < end)
    {
      Token token = { NULL, FALSE, line };

      if (*p == '\n')
        {
          line++;
          p++;
          continue;
        }
      if (is_separator (*p))
        {
          p++;
          continue;
        }
      if (*p == '#')
        {
          while (p < end && *p != '\n')
            p++;
          continue;
        }
      if (*p == '"' || *p == '\'')
        {
          GString *value = g_string_new (NULL);

          if (!read_quoted (&p, end, &line, value))
            {
              g_string_free (value, TRUE);
              g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_PARSE,
                           _("%s:%u: a quoted string is not closed"), filename, token.line);
              return NULL;
            }
          if (memchr (value->str, '\0', value->len) != NULL
              || !g_utf8_validate (value->str, value->len, NULL))
            {
              g_string_free (value, TRUE);
              g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_PARSE,
                           _("%s:%u: a quoted string is not valid UTF-8 text"), filename,
                           token.line);
              return NULL;
            }
          token.text = g_string_free (value, FALSE);
          token.quoted = TRUE;
        }
      else
        {
          const char *start = p;

          while (p < end && !is_separator (*p))
            p++;
          token.text = g_strndup (start, p - start);
          if (strlen (token.text) != (gsize) (p - start) || !g_utf8_validate (token.text, -1, NULL))
            {
              g_free (token.text);
              g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_PARSE,
                           _("%s:%u: not valid UTF-8 text"), filename, token.line);
              return NULL;
            }
        }

      if (is_noise (&token))
        {
          g_free (token.text);
          continue;
        }
      g_array_append_val (tokens, token);
    }

  return g_steal_pointer (&tokens);
}

typedef struct {
  GArray     *tokens;
  guint       pos;
  const char *filename;
  GPtrArray  *notes;
  GPtrArray  *globals;   /* Clause* from set statements */
} Parser;

static Token *
peek (Parser *parser)
{
  if (parser->pos >= parser->tokens->len)
    return NULL;
  return &g_array_index (parser->tokens, Token, parser->pos);
}

G_GNUC_PRINTF (3, 4)
static void
add_note (GPtrArray  *notes,
          const char *prefix,
          const char *format,
          ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  /* A server option shared by several users is noted once. */
  for (guint i = 0; i < notes->len; i++)
    if (g_str_has_prefix (notes->pdata[i], prefix)
        && g_str_equal ((const char *) notes->pdata[i] + strlen (prefix), message))
      return;
  g_ptr_array_add (notes, g_strconcat (prefix, message, NULL));
}

/* Reads one keyword's arguments. The keyword token has been consumed. */
static Clause *
read_clause (Parser         *parser,
             const Keyword  *keyword,
             guint           line,
             GError        **error)
{
  Clause *clause = g_new0 (Clause, 1);
  Token *token;

  clause->keyword = keyword;
  clause->line = line;
  clause->args = g_ptr_array_new_with_free_func (g_free);

  switch (keyword->args)
    {
    case ARGS_NONE:
      break;

    case ARGS_ONE:
      token = peek (parser);
      /* Any word, even one that is also a keyword ("auth password"), except one that starts a
       * statement. */
      if (token == NULL || (lookup_keyword (token) != NULL
                            && (lookup_keyword (token)->kind == KIND_ENTRY
                                || lookup_keyword (token)->kind == KIND_SET)))
        goto missing;
      g_ptr_array_add (clause->args, g_strdup (token->text));
      parser->pos++;
      break;

    case ARGS_ENVELOPE:
      token = peek (parser);
      if (token != NULL && !token->quoted && g_ascii_isdigit (token->text[0]))
        {
          g_ptr_array_add (clause->args, g_strdup (token->text));
          parser->pos++;
        }
      token = peek (parser);
      if (token == NULL || lookup_keyword (token) != NULL)
        goto missing;
      g_ptr_array_add (clause->args, g_strdup (token->text));
      parser->pos++;
      break;

    case ARGS_LIST:
    case ARGS_MAPPING:
      while ((token = peek (parser)) != NULL && lookup_keyword (token) == NULL)
        {
          g_ptr_array_add (clause->args, g_strdup (token->text));
          parser->pos++;
        }
      if (clause->args->len == 0)
        goto missing;
      break;

    case ARGS_NEGATED:
      {
        const Keyword *negated;

        token = peek (parser);
        negated = token != NULL ? lookup_keyword (token) : NULL;
        if (negated == NULL || negated->args != ARGS_NONE)
          {
            g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_PARSE,
                         _("%s:%u: 'no' must be followed by an option without argument"),
                         parser->filename, line);
            clause_free (clause);
            return NULL;
          }
        parser->pos++;
        clause->keyword = negated;
        clause->negated = TRUE;
      }
      break;

    default:
      g_assert_not_reached ();
    }
  return clause;

missing:
  g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_PARSE,
               _("%s:%u: '%s' needs an argument"), parser->filename, line, keyword->name);
  clause_free (clause);
  return NULL;
}

static char *
clause_text (const Clause *clause)
{
  GString *text = g_string_new (clause->negated ? "no " : "");

  g_string_append (text, clause->keyword->name);
  for (guint i = 0; i < clause->args->len; i++)
    {
      const char *arg = clause->args->pdata[i];

      /* Never repeat a password in a note. */
      if (g_str_equal (clause->keyword->name, "password")
          || g_str_equal (clause->keyword->name, "pass")
          || g_str_equal (clause->keyword->name, "esmtppassword"))
        arg = "********";
      g_string_append_printf (text, " %s", arg);
    }
  return g_string_free (text, FALSE);
}

static GPtrArray *
parse_entries (Parser  *parser,
               GError **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  Entry *entry = NULL;
  GPtrArray *user = NULL;
  Token *token;

  while ((token = peek (parser)) != NULL)
    {
      const Keyword *keyword = lookup_keyword (token);
      guint line = token->line;
      Clause *clause;

      if (keyword == NULL)
        {
          if (entry != NULL)
            add_note (parser->notes, _("not carried over: "),
                      _("%s:%u: unknown word '%s'"), parser->filename, line, token->text);
          else
            add_note (parser->notes, _("not carried over: "),
                      _("%s:%u: '%s' outside any poll entry"), parser->filename, line, token->text);
          parser->pos++;
          continue;
        }
      parser->pos++;

      if (keyword->kind == KIND_SET)
        {
          const Keyword *option;
          gboolean negated = FALSE;

          token = peek (parser);
          if (token != NULL && !token->quoted && g_ascii_strcasecmp (token->text, "no") == 0)
            {
              negated = TRUE;
              parser->pos++;
              token = peek (parser);
            }
          option = token != NULL ? lookup_keyword (token) : NULL;
          if (option == NULL || (option->kind != KIND_GLOBAL && !g_str_equal (option->name, "properties")
                                 && !g_str_equal (option->name, "showdots")))
            {
              g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_PARSE,
                           _("%s:%u: 'set' must be followed by a global option"),
                           parser->filename, line);
              return NULL;
            }
          parser->pos++;
          clause = read_clause (parser, option, line, error);
          if (clause == NULL)
            return NULL;
          clause->negated = negated;
          g_ptr_array_add (parser->globals, clause);
          /* A set statement ends the entry before it. */
          entry = NULL;
          user = NULL;
          continue;
        }

      if (keyword->kind == KIND_ENTRY)
        {
          entry = g_new0 (Entry, 1);
          entry->line = line;
          entry->skip = g_str_equal (keyword->name, "skip");
          entry->server = g_ptr_array_new_with_free_func ((GDestroyNotify) clause_free);
          entry->users = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
          user = NULL;
          if (keyword->args == ARGS_ONE)
            {
              token = peek (parser);
              if (token == NULL || lookup_keyword (token) != NULL)
                {
                  entry_free (entry);
                  g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_PARSE,
                               _("%s:%u: '%s' needs a server name"), parser->filename, line,
                               keyword->name);
                  return NULL;
                }
              entry->name = g_strdup (token->text);
              parser->pos++;
            }
          g_ptr_array_add (entries, entry);
          continue;
        }

      if (entry == NULL)
        {
          g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_PARSE,
                       _("%s:%u: '%s' outside any poll entry"), parser->filename, line,
                       keyword->name);
          return NULL;
        }
      if (keyword->kind == KIND_GLOBAL)
        {
          g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_PARSE,
                       _("%s:%u: '%s' is a global option: write 'set %s'"), parser->filename,
                       line, keyword->name, keyword->name);
          return NULL;
        }

      clause = read_clause (parser, keyword, line, error);
      if (clause == NULL)
        return NULL;

      if (clause->keyword->kind == KIND_SERVER && user == NULL)
        {
          g_ptr_array_add (entry->server, clause);
          continue;
        }
      /* "user NAME" starts a user description; options without one describe an implicit user. */
      if (user == NULL || (g_str_equal (clause->keyword->name, "user")
                           || g_str_equal (clause->keyword->name, "username")))
        {
          gboolean has_user = FALSE;

          for (guint i = 0; user != NULL && i < user->len; i++)
            {
              Clause *c = user->pdata[i];

              has_user |= g_str_equal (c->keyword->name, "user")
                || g_str_equal (c->keyword->name, "username");
            }
          if (user == NULL || has_user)
            {
              user = g_ptr_array_new_with_free_func ((GDestroyNotify) clause_free);
              g_ptr_array_add (entry->users, user);
            }
        }
      g_ptr_array_add (user, clause);
    }

  return g_steal_pointer (&entries);
}

/* A provider name from a poll name: letters, digits and ".-_+@" are kept, the rest become '-'. */
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
  g_autofree char *text = clause_text (clause);

  add_note (notes, _("not carried over: "), "%s:%u: %s %s: '%s': %s", filename, clause->line,
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
        add_note (notes, _("note: "),
                  _("%s:%u: provider %s: 'ssl' without a port: implicit TLS on port %u; set "
                    "port= if the provider uses another"),
                  filename, entry->line, name, POSTE_ODMR_PORT);
    }
  else
    add_note (notes, _("note: "),
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
        add_note (notes, _("note: "),
                  _("%s:%u: provider %s: no LMTP smtphost: set delivery= by hand"),
                  filename, entry->line, name);
      else
        add_note (notes, _("note: "),
                  _("%s:%u: provider %s: delivery=smtp://localhost:25, fetchmail's default smtphost"),
                  filename, entry->line, name);
    }
  poste_provider_set_delivery (provider, delivery);

  g_ptr_array_add (domains, NULL);
  poste_provider_set_domains (provider, (const char * const *) domains->pdata);

  if (entry->skip || daemon_seconds == 0)
    {
      poste_provider_set_interval (provider, 0);
      add_note (notes, _("note: "),
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
    add_note (notes, _("note: "), _("%s:%u: provider %s: no 'user': set username= by hand"),
              filename, entry->line, name);
  if (password == NULL && poste_provider_get_auth (provider) != POSTE_AUTH_EXTERNAL)
    add_note (notes, _("note: "),
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
  g_autoptr(GArray) tokens = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) globals = g_ptr_array_new_with_free_func ((GDestroyNotify) clause_free);
  g_autoptr(GHashTable) taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(PosteFetchmailrc) rc = g_new0 (PosteFetchmailrc, 1);
  Parser parser = { 0 };
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

  tokens = tokenize (text, length, filename, error);
  if (tokens == NULL)
    return NULL;

  parser.tokens = tokens;
  parser.filename = filename;
  parser.notes = rc->notes;
  parser.globals = globals;
  entries = parse_entries (&parser, error);
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
          g_autofree char *clause = clause_text (c);

          add_note (rc->notes, _("not carried over: "), _("%s:%u: 'set %s': a fetchmail setting"),
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
          add_note (rc->notes, _("not carried over: "),
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
