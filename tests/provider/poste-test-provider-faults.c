/* poste-test-provider-faults.c: the test provider's fault script, parsed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * "drop=atrn,silent=data,atrn=450 busy,...": how the provider misbehaves, read from the
 * specification poste-test-provider.h documents; the other rooms only read the result.
 */
#include "config.h"

#include <errno.h>
#include <gsasl.h>
#include <string.h>

#include "poste-data-decoder.h"
#include "poste-error.h"
#include "poste-reply.h"
#include "poste-test-provider-private.h"

const char * const tp_stage_names[N_STAGES] = {
  [STAGE_GREETING] = "greeting",
  [STAGE_EHLO] = "ehlo",
  [STAGE_STARTTLS] = "starttls",
  [STAGE_HANDSHAKE] = "handshake",
  [STAGE_AUTH] = "auth",
  [STAGE_ATRN] = "atrn",
  [STAGE_TURN] = "turn",
  [STAGE_OUR_220] = "our-220",
  [STAGE_MAIL] = "mail",
  [STAGE_RCPT] = "rcpt",
  [STAGE_DATA] = "data",
  [STAGE_AFTER_250] = "after-250",
  [STAGE_QUIT] = "quit",
};

/* Faults */

void
tp_faults_clear (Faults *f)
{
  g_clear_pointer (&f->atrn_text, g_free);
  g_clear_pointer (&f->etrn_text, g_free);
  g_clear_pointer (&f->mechanisms, g_strfreev);
  g_clear_pointer (&f->cram_challenge, g_free);
  g_clear_pointer (&f->submit_rcpt_for, g_free);
  memset (f, 0, sizeof *f);
  f->drop = STAGE_NONE;
  f->silent = STAGE_NONE;
  f->drop_in_data = -1;
  f->silent_in_data = -1;
  f->pipelining = TRUE;
}

static Stage
stage_from_name (const char *name)
{
  for (int i = 0; i < N_STAGES; i++)
    if (g_strcmp0 (tp_stage_names[i], name) == 0)
      return (Stage) i;
  return STAGE_NONE;
}

static gboolean
parse_number (const char  *name,
              const char  *value,
              guint64      max,
              guint64     *out,
              GError     **error)
{
  if (value == NULL ||
      !g_ascii_string_to_unsigned (value, 10, 0, max, out, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Fault %s needs a number up to %" G_GUINT64_FORMAT, name, max);
      return FALSE;
    }
  return TRUE;
}

gboolean
tp_faults_parse (Faults      *f,
                 const char  *spec,
                 GError     **error)
{
  g_auto(GStrv) words = g_strsplit_set (spec != NULL ? spec : "", " \t\n", -1);

  for (guint i = 0; words[i] != NULL; i++)
    {
      g_autofree char *name = NULL;
      const char *value = NULL;
      char *eq;
      guint64 n;

      if (words[i][0] == '\0')
        continue;
      name = g_strdup (words[i]);
      eq = strchr (name, '=');
      if (eq != NULL)
        {
          *eq = '\0';
          value = eq + 1;
        }

      if (g_str_equal (name, "atrn-reply"))
        {
          const char *colon = value != NULL ? strchr (value, ':') : NULL;
          g_autofree char *code = colon != NULL ? g_strndup (value, colon - value)
                                                : g_strdup (value);

          if (!parse_number (name, code, 599, &n, error))
            return FALSE;
          if (n < 200)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "atrn-reply needs a code from 200 to 599");
              return FALSE;
            }
          f->atrn_code = (guint) n;
          g_free (f->atrn_text);
          f->atrn_text = g_strdup (colon != NULL ? colon + 1 : NULL);
          if (f->atrn_text != NULL)
            g_strdelimit (f->atrn_text, "_", ' ');
        }
      else if (g_str_equal (name, "etrn-reply"))
        {
          const char *colon = value != NULL ? strchr (value, ':') : NULL;
          g_autofree char *code = colon != NULL ? g_strndup (value, colon - value)
                                                : g_strdup (value);

          if (!parse_number (name, code, 599, &n, error) || n < 200)
            {
              g_clear_error (error);
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "etrn-reply needs a code from 200 to 599");
              return FALSE;
            }
          f->etrn_code = (guint) n;
          g_free (f->etrn_text);
          f->etrn_text = g_strdup (colon != NULL ? colon + 1 : NULL);
          if (f->etrn_text != NULL)
            g_strdelimit (f->etrn_text, "_", ' ');
        }
      else if (g_str_equal (name, "atrn-multiline"))
        f->atrn_multiline = TRUE;
      else if (g_str_equal (name, "drop") || g_str_equal (name, "silent"))
        {
          Stage stage = stage_from_name (value);

          if (stage == STAGE_NONE)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "Unknown stage “%s” for %s", value != NULL ? value : "", name);
              return FALSE;
            }
          if (g_str_equal (name, "drop"))
            f->drop = stage;
          else
            f->silent = stage;
        }
      else if (g_str_equal (name, "drop-in-data"))
        {
          if (!parse_number (name, value, G_MAXINT64, &n, error))
            return FALSE;
          f->drop_in_data = (gint64) n;
        }
      else if (g_str_equal (name, "silent-in-data"))
        {
          if (!parse_number (name, value, G_MAXINT64, &n, error))
            return FALSE;
          f->silent_in_data = (gint64) n;
        }
      else if (g_str_equal (name, "slow-lines"))
        {
          if (!parse_number (name, value, 600000, &n, error))
            return FALSE;
          f->slow_ms = (guint) n;
        }
      else if (g_str_equal (name, "inject-after-starttls"))
        f->inject_after_starttls = TRUE;
      else if (g_str_equal (name, "no-starttls"))
        f->no_starttls = TRUE;
      else if (g_str_equal (name, "starttls-reply"))
        {
          if (!parse_number (name, value, 599, &n, error))
            return FALSE;
          f->starttls_code = (guint) n;
        }
      else if (g_str_equal (name, "mechanisms"))
        {
          g_strfreev (f->mechanisms);
          f->mechanisms = g_strsplit (value != NULL ? value : "", ",", -1);
          for (guint j = 0; f->mechanisms[j] != NULL; j++)
            {
              char *up = g_ascii_strup (f->mechanisms[j], -1);
              g_free (f->mechanisms[j]);
              f->mechanisms[j] = up;
            }
        }
      else if (g_str_equal (name, "plain-auth-in-clear"))
        f->plain_in_clear = TRUE;
      else if (g_str_equal (name, "bare-lf"))
        f->bare_lf = TRUE;
      else if (g_str_equal (name, "long-line"))
        {
          if (!parse_number (name, value, 64 * 1024 * 1024, &n, error))
            return FALSE;
          f->long_line = (gsize) n;
        }
      else if (g_str_equal (name, "nul"))
        f->nul = TRUE;
      else if (g_str_equal (name, "reply-long-line"))
        f->reply_long_line = TRUE;
      else if (g_str_equal (name, "reply-endless-multiline"))
        f->reply_endless = TRUE;
      else if (g_str_equal (name, "reply-code-change"))
        f->reply_code_change = TRUE;
      else if (g_str_equal (name, "junk-334"))
        f->junk_334 = TRUE;
      else if (g_str_equal (name, "pipelining"))
        f->pipelining = TRUE;
      else if (g_str_equal (name, "no-pipelining"))
        f->pipelining = FALSE;
      else if (g_str_equal (name, "bdat"))
        f->bdat = TRUE;
      else if (g_str_equal (name, "size"))
        f->size = TRUE;
      else if (g_str_equal (name, "ehlo-quit"))
        f->ehlo_quit = TRUE;
      else if (g_str_equal (name, "raw"))
        f->raw = TRUE;
      else if (g_str_equal (name, "any-recipient"))
        f->any_recipient = TRUE;
      else if (g_str_equal (name, "scram-iterations"))
        {
          if (!parse_number (name, value, G_MAXUINT32, &n, error))
            return FALSE;
          f->scram_iterations = n;
        }
      else if (g_str_equal (name, "huge"))
        {
          if (!parse_number (name, value, G_MAXUINT64 / 2, &n, error))
            return FALSE;
          f->huge = n;
        }
      else if (g_str_equal (name, "per-session"))
        {
          if (!parse_number (name, value, G_MAXUINT, &n, error))
            return FALSE;
          f->per_session = (guint) n;
        }
      else if (g_str_equal (name, "bdat-short"))
        f->bdat_short = TRUE;
      else if (g_str_equal (name, "tls-plain-quit"))
        f->tls_plain_quit = TRUE;
      else if (g_str_equal (name, "quit-after-4xx"))
        f->quit_after_4xx = TRUE;
      else if (g_str_equal (name, "atrn-needs-domains"))
        f->atrn_needs_domains = TRUE;
      else if (g_str_equal (name, "return-5xx"))
        f->return_5xx = TRUE;
      else if (g_str_equal (name, "cram-challenge"))
        {
          g_free (f->cram_challenge);
          f->cram_challenge = g_strdup (value);
        }
      else if (g_str_equal (name, "submit-rcpt") && value != NULL && strchr (value, ':') != NULL)
        {
          /* submit-rcpt=CODE:ADDRESS: only that recipient gets CODE. */
          const char *colon = strchr (value, ':');
          g_autofree char *code = g_strndup (value, colon - value);

          if (!parse_number (name, code, 599, &n, error))
            return FALSE;
          f->submit_rcpt = (guint) n;
          g_free (f->submit_rcpt_for);
          f->submit_rcpt_for = g_strdup (colon + 1);
        }
      else if (g_str_equal (name, "submit-mail") || g_str_equal (name, "submit-rcpt") ||
               g_str_equal (name, "submit-data") || g_str_equal (name, "submit-end"))
        {
          if (!parse_number (name, value, 599, &n, error))
            return FALSE;
          if (n < 200)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "%s needs a code from 200 to 599", name);
              return FALSE;
            }
          if (g_str_equal (name, "submit-mail"))
            f->submit_mail = (guint) n;
          else if (g_str_equal (name, "submit-rcpt"))
            f->submit_rcpt = (guint) n;
          else if (g_str_equal (name, "submit-data"))
            f->submit_data = (guint) n;
          else
            f->submit_end = (guint) n;
        }
      else
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Unknown fault “%s”",
                       words[i]);
          return FALSE;
        }
    }
  return TRUE;
}
