/* poste-fetchmailrc-lexer.c: fetchmail's run control file, read into entries and clauses
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The syntax is fetchmail's (fetchmail(1), "THE RUN CONTROL FILE", and its rcfile_l.l lexer):
 * free-form keywords; strings in double or single quotes with C escapes; '#' to the end of the
 * line is a comment; ',', ';' and ':' separate words like white space; the words "and", "with",
 * "has", "wants" and "options" are noise. A file is a list of `set` statements and entries
 * (`poll NAME`, `skip NAME`, `defaults`); an entry has server options, then one or more user
 * descriptions (`user NAME` followed by user options). This file only reads: what each clause
 * means for a provider is poste-fetchmailrc.c's.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "poste-error.h"
#include "poste-fetchmailrc-private.h"

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

static void
token_clear (Token *token)
{
  g_free (token->text);
}

void
_poste_fetchmailrc_clause_free (Clause *clause)
{
  g_ptr_array_unref (clause->args);
  g_free (clause);
}

void
_poste_fetchmailrc_entry_free (Entry *entry)
{
  g_free (entry->name);
  g_ptr_array_unref (entry->server);
  g_ptr_array_unref (entry->users);
  g_free (entry);
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

void
_poste_fetchmailrc_add_note (GPtrArray  *notes,
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
            _poste_fetchmailrc_clause_free (clause);
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
  _poste_fetchmailrc_clause_free (clause);
  return NULL;
}

char *
_poste_fetchmailrc_clause_text (const Clause *clause)
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
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) _poste_fetchmailrc_entry_free);
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
            _poste_fetchmailrc_add_note (parser->notes, _("not carried over: "),
                      _("%s:%u: unknown word '%s'"), parser->filename, line, token->text);
          else
            _poste_fetchmailrc_add_note (parser->notes, _("not carried over: "),
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
          entry->server = g_ptr_array_new_with_free_func ((GDestroyNotify) _poste_fetchmailrc_clause_free);
          entry->users = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
          user = NULL;
          if (keyword->args == ARGS_ONE)
            {
              token = peek (parser);
              if (token == NULL || lookup_keyword (token) != NULL)
                {
                  _poste_fetchmailrc_entry_free (entry);
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
              user = g_ptr_array_new_with_free_func ((GDestroyNotify) _poste_fetchmailrc_clause_free);
              g_ptr_array_add (entry->users, user);
            }
        }
      g_ptr_array_add (user, clause);
    }

  return g_steal_pointer (&entries);
}

/* A provider name from a poll name: letters, digits and ".-_+@" are kept, the rest become '-'. */

/**
 * _poste_fetchmailrc_read:
 * @text: the file's text
 * @length: its length in bytes
 * @filename: the name for messages
 * @notes: (element-type utf8): where what is noticed while reading goes
 * @globals: (element-type Clause): where the `set` statements' clauses go
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer full) (element-type Entry) (nullable): the entries, or %NULL with
 *   %POSTE_CONFIG_ERROR_PARSE (the message names the file and the line)
 */
GPtrArray *
_poste_fetchmailrc_read (const char  *text,
                         gsize        length,
                         const char  *filename,
                         GPtrArray   *notes,
                         GPtrArray   *globals,
                         GError     **error)
{
  g_autoptr(GArray) tokens = tokenize (text, length, filename, error);
  Parser parser = { 0 };

  if (tokens == NULL)
    return NULL;
  parser.tokens = tokens;
  parser.filename = filename;
  parser.notes = notes;
  parser.globals = globals;
  return parse_entries (&parser, error);
}
