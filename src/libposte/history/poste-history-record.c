/* poste-history-record.c: one history record as JSON: written redacted and bounded, read back
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The transcript comes from the session already redacted; the history redacts once more what
 * would be a secret if the session missed it (SASL responses), makes every line printable and
 * keeps the first and last lines of a long one. A record written before a member existed still
 * reads: such a count is 0.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "poste-error.h"
#include "poste-enums.h"
#include "poste-history.h"

#define RECORD_VERSION 1

/* Control characters and invalid UTF-8 made visible, the line cut at its limit. */
static char *
printable_line (const char *line)
{
  g_autofree char *valid = g_utf8_make_valid (line, -1);
  GString *out = g_string_new (NULL);

  for (const char *p = valid; *p != '\0'; p++)
    {
      if (out->len >= POSTE_HISTORY_MAX_LINE_LENGTH)
        {
          /* Never cut inside a UTF-8 sequence. */
          while (out->len > 0 && (out->str[out->len - 1] & 0xc0) == 0x80)
            g_string_truncate (out, out->len - 1);
          if (out->len > 0 && (guchar) out->str[out->len - 1] >= 0xc0)
            g_string_truncate (out, out->len - 1);
          g_string_append (out, "...");
          break;
        }
      if ((guchar) *p < 0x20 || *p == 0x7f)
        g_string_append_printf (out, "\\x%02x", (guchar) *p);
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* What the session should already have redacted: AUTH's initial response and every client
 * line answering a 334 challenge (RFC 4954 section 4). */
static char *
redact_line (const char *line,
             gboolean    after_challenge)
{
  if (g_str_has_prefix (line, "C: "))
    {
      const char *command = line + 3;

      if (after_challenge && !g_str_equal (command, "*") && strstr (command, "redacted") == NULL
          && !g_str_equal (command, "********"))
        return g_strdup ("C: ********");
      if (g_ascii_strncasecmp (command, "AUTH ", 5) == 0)
        {
          g_auto(GStrv) words = g_strsplit (command, " ", 3);

          if (words[1] != NULL && words[2] != NULL && strstr (words[2], "redacted") == NULL
              && !g_str_equal (words[2], "********"))
            return g_strdup_printf ("C: %s %s ********", words[0], words[1]);
        }
    }
  return g_strdup (line);
}

/**
 * poste_history_bound_transcript:
 * @transcript: (element-type utf8): a transcript
 *
 * Makes a transcript fit a record: printable lines of at most %POSTE_HISTORY_MAX_LINE_LENGTH
 * bytes, SASL responses redacted, and at most %POSTE_HISTORY_MAX_TRANSCRIPT_LINES lines and
 * %POSTE_HISTORY_MAX_TRANSCRIPT_BYTES bytes: the first and the last half, with a note
 * "*  [N lines left out]" between them.
 *
 * Returns: (transfer full) (element-type utf8): the bounded transcript
 */
GPtrArray *
poste_history_bound_transcript (GPtrArray *transcript)
{
  g_autoptr(GPtrArray) clean = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *result = g_ptr_array_new_with_free_func (g_free);
  gboolean after_challenge = FALSE;
  gsize total = 0;
  guint head = 0;
  guint tail = 0;
  gsize head_bytes = 0;
  gsize tail_bytes = 0;

  if (transcript == NULL)
    return result;

  for (guint i = 0; i < transcript->len; i++)
    {
      g_autofree char *printable = printable_line (transcript->pdata[i]);
      char *line = redact_line (printable, after_challenge);

      if (g_str_has_prefix (line, "S: "))
        after_challenge = g_str_has_prefix (line + 3, "334");
      total += strlen (line) + 1;
      g_ptr_array_add (clean, line);
    }

  if (clean->len <= POSTE_HISTORY_MAX_TRANSCRIPT_LINES && total <= POSTE_HISTORY_MAX_TRANSCRIPT_BYTES)
    {
      for (guint i = 0; i < clean->len; i++)
        g_ptr_array_add (result, g_strdup (clean->pdata[i]));
      return result;
    }

  /* The first half of the budget from the start, the second from the end. */
  while (head < clean->len && head < POSTE_HISTORY_MAX_TRANSCRIPT_LINES / 2
         && head_bytes + strlen (clean->pdata[head]) + 1 <= POSTE_HISTORY_MAX_TRANSCRIPT_BYTES / 2)
    head_bytes += strlen (clean->pdata[head++]) + 1;
  while (tail < clean->len - head && tail < POSTE_HISTORY_MAX_TRANSCRIPT_LINES / 2 - 1
         && tail_bytes + strlen (clean->pdata[clean->len - 1 - tail]) + 1
              <= POSTE_HISTORY_MAX_TRANSCRIPT_BYTES / 2 - 64)
    tail_bytes += strlen (clean->pdata[clean->len - 1 - tail++]) + 1;

  for (guint i = 0; i < head; i++)
    g_ptr_array_add (result, g_strdup (clean->pdata[i]));
  g_ptr_array_add (result, g_strdup_printf ("*  [%u lines left out]", clean->len - head - tail));
  for (guint i = clean->len - tail; i < clean->len; i++)
    g_ptr_array_add (result, g_strdup (clean->pdata[i]));
  return result;
}

/* The members a round's record and each of its sessions share. */
static void
add_counts (JsonBuilder              *builder,
            const PosteSessionReport *report)
{
  g_autofree char *started = NULL;
  struct { const char *name; guint value; } counts[] = {
    { "messages", report->messages },
    { "refused", report->refused },
    { "deferred", report->deferred },
    { "returned", report->returned },
    { "submitted", report->submitted },
    { "send-deferred", report->send_deferred },
    { "send-returned", report->send_returned },
  };

  if (report->started != NULL)
    {
      g_autoptr(GDateTime) utc = g_date_time_to_utc (report->started);

      started = g_date_time_format_iso8601 (utc);
    }

  json_builder_set_member_name (builder, "started");
  if (started != NULL)
    json_builder_add_string_value (builder, started);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "duration");
  json_builder_add_double_value (builder, report->duration);
  json_builder_set_member_name (builder, "outcome");
  json_builder_add_string_value (builder, poste_session_outcome_to_string (report->outcome));
  json_builder_set_member_name (builder, "error");
  if (report->error != NULL)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "domain");
      json_builder_add_string_value (builder, g_quark_to_string (report->error->domain));
      json_builder_set_member_name (builder, "code");
      json_builder_add_int_value (builder, report->error->code);
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, report->error->message != NULL
                                                ? report->error->message : "");
      json_builder_end_object (builder);
    }
  else
    json_builder_add_null_value (builder);
  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    {
      json_builder_set_member_name (builder, counts[i].name);
      json_builder_add_int_value (builder, counts[i].value);
    }
  json_builder_set_member_name (builder, "bytes");
  json_builder_add_int_value (builder, (gint64) MIN (report->bytes, (guint64) G_MAXINT64));
  json_builder_set_member_name (builder, "tls");
  if (report->tls != NULL)
    json_builder_add_string_value (builder, report->tls);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "mechanism");
  if (report->mechanism != NULL)
    json_builder_add_string_value (builder, report->mechanism);
  else
    json_builder_add_null_value (builder);
}

/**
 * poste_session_report_to_json:
 * @report: a #PosteSessionReport
 * @length: (out) (optional): the text's length
 *
 * Serializes a report as a JSON object: version, provider, started (ISO 8601, UTC), duration
 * (seconds), outcome ("mail", "no-mail", "failed", "cancelled", "started" for ETRN), error
 * (domain, code, message, or null), messages, refused, deferred, returned, submitted,
 * send-deferred, send-returned, bytes, tls, mechanism, the transcript (bounded with
 * poste_history_bound_transcript()) and "sessions": the same members (but version, provider,
 * transcript and sessions) for each session of a fetch round, at most
 * %POSTE_HISTORY_MAX_SESSIONS of them.
 *
 * Returns: (transfer full): the JSON text
 */
char *
poste_session_report_to_json (const PosteSessionReport *report,
                              gsize                    *length)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) transcript = NULL;

  g_return_val_if_fail (report != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, RECORD_VERSION);
  json_builder_set_member_name (builder, "provider");
  json_builder_add_string_value (builder, report->provider != NULL ? report->provider : "");
  add_counts (builder, report);
  json_builder_set_member_name (builder, "transcript");
  json_builder_begin_array (builder);
  transcript = poste_history_bound_transcript (report->transcript);
  for (guint i = 0; i < transcript->len; i++)
    json_builder_add_string_value (builder, transcript->pdata[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "sessions");
  json_builder_begin_array (builder);
  for (guint i = 0; report->sessions != NULL && i < report->sessions->len
                    && i < POSTE_HISTORY_MAX_SESSIONS; i++)
    {
      json_builder_begin_object (builder);
      add_counts (builder, report->sessions->pdata[i]);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, length);
}

static gboolean
invalid (GError     **error,
         const char  *what)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               _("not a session record: %s"), what);
  return FALSE;
}

static gboolean
get_string (JsonObject   *object,
            const char   *member,
            gboolean      nullable,
            char        **out,
            GError      **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (!nullable)
        return invalid (error, member);
      *out = NULL;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return invalid (error, member);
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

static gboolean
get_int (JsonObject  *object,
         const char  *member,
         gint64       max,
         gint64      *out,
         GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return invalid (error, member);
  *out = json_node_get_int (node);
  if (*out < 0 || *out > max)
    return invalid (error, member);
  return TRUE;
}

/* A count that records written before it existed lack: 0 then. */
static gboolean
get_count (JsonObject  *object,
           const char  *member,
           gboolean     optional,
           guint       *out,
           GError     **error)
{
  gint64 number;

  if (optional && !json_object_has_member (object, member))
    {
      *out = 0;
      return TRUE;
    }
  if (!get_int (object, member, G_MAXUINT, &number, error))
    return FALSE;
  *out = (guint) number;
  return TRUE;
}

/* Reads what add_counts() wrote into @report. */
static gboolean
read_counts (JsonObject          *object,
             PosteSessionReport  *report,
             GError             **error)
{
  g_autofree char *started = NULL;
  g_autofree char *outcome = NULL;
  JsonNode *node;
  gint64 number;

  if (!get_string (object, "started", TRUE, &started, error))
    return FALSE;
  if (started != NULL)
    {
      g_clear_pointer (&report->started, g_date_time_unref);
      report->started = g_date_time_new_from_iso8601 (started, NULL);
      if (report->started == NULL)
        return invalid (error, "started");
    }

  node = json_object_get_member (object, "duration");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return invalid (error, "duration");
  report->duration = json_node_get_double (node);
  if (!(report->duration >= 0))
    return invalid (error, "duration");

  if (!get_string (object, "outcome", FALSE, &outcome, error))
    return FALSE;
  {
    int value;

    report->outcome = poste_enum_from_nick (POSTE_TYPE_SESSION_OUTCOME, outcome, &value)
                        ? (PosteSessionOutcome) value : POSTE_SESSION_OUTCOME_NONE;
  }

  node = json_object_get_member (object, "error");
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *e = json_node_get_object (node);
      g_autofree char *domain = NULL;
      g_autofree char *message = NULL;
      gint64 code;

      if (!get_string (e, "domain", FALSE, &domain, error)
          || !get_string (e, "message", FALSE, &message, error)
          || !get_int (e, "code", G_MAXINT, &code, error))
        return FALSE;
      g_clear_error (&report->error);
      report->error = g_error_new_literal (g_quark_from_string (domain), (int) code, message);
    }
  else if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    return invalid (error, "error");

  if (!get_count (object, "messages", FALSE, &report->messages, error)
      || !get_count (object, "refused", FALSE, &report->refused, error)
      || !get_count (object, "submitted", FALSE, &report->submitted, error)
      || !get_count (object, "deferred", TRUE, &report->deferred, error)
      || !get_count (object, "returned", TRUE, &report->returned, error)
      || !get_count (object, "send-deferred", TRUE, &report->send_deferred, error)
      || !get_count (object, "send-returned", TRUE, &report->send_returned, error))
    return FALSE;
  /* A record from before the split counted every refusal as left with the provider. */
  if (!json_object_has_member (object, "deferred") && !json_object_has_member (object, "returned"))
    report->deferred = report->refused;
  if (!get_int (object, "bytes", G_MAXINT64, &number, error))
    return FALSE;
  report->bytes = (guint64) number;
  g_clear_pointer (&report->tls, g_free);
  g_clear_pointer (&report->mechanism, g_free);
  if (!get_string (object, "tls", TRUE, &report->tls, error)
      || !get_string (object, "mechanism", TRUE, &report->mechanism, error))
    return FALSE;
  return TRUE;
}

/**
 * poste_session_report_from_json:
 * @data: a record written by poste_session_report_to_json()
 * @length: its length, or -1 when NUL-terminated
 * @error: a #GError, or %NULL
 *
 * Reads a record back. The error is rebuilt in its original domain (by the domain's name), so
 * poste_exit_status_for_error() gives the same answer as for the live session. Records written
 * before the deferred, returned, send-deferred, send-returned and sessions members existed read
 * as 0 and no sessions, every refusal counted as deferred.
 *
 * Returns: (transfer full) (nullable): the report, or %NULL with %G_IO_ERROR_INVALID_DATA
 */
PosteSessionReport *
poste_session_report_from_json (const char  *data,
                                gssize       length,
                                GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(PosteSessionReport) report = NULL;
  g_autofree char *provider = NULL;
  JsonObject *object;
  JsonNode *node;
  gint64 number;

  g_return_val_if_fail (data != NULL, NULL);

  if (!json_parser_load_from_data (parser, data, length, error))
    return NULL;
  node = json_parser_get_root (parser);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, "not an object"), NULL;
  object = json_node_get_object (node);

  if (!get_int (object, "version", G_MAXINT, &number, error))
    return NULL;
  if (number != RECORD_VERSION)
    return invalid (error, "version"), NULL;
  if (!get_string (object, "provider", FALSE, &provider, error))
    return NULL;

  report = poste_session_report_new (provider);
  if (!read_counts (object, report, error))
    return NULL;

  node = json_object_get_member (object, "transcript");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return invalid (error, "transcript"), NULL;
  {
    JsonArray *array = json_node_get_array (node);
    guint n = json_array_get_length (array);

    g_ptr_array_set_size (report->transcript, 0);
    for (guint i = 0; i < n && i <= POSTE_HISTORY_MAX_TRANSCRIPT_LINES; i++)
      {
        JsonNode *line = json_array_get_element (array, i);

        if (!JSON_NODE_HOLDS_VALUE (line) || json_node_get_value_type (line) != G_TYPE_STRING)
          return invalid (error, "transcript"), NULL;
        g_ptr_array_add (report->transcript, printable_line (json_node_get_string (line)));
      }
  }

  node = json_object_get_member (object, "sessions");
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      guint n = json_array_get_length (array);

      for (guint i = 0; i < n && i < POSTE_HISTORY_MAX_SESSIONS; i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          g_autoptr(PosteSessionReport) session = NULL;

          if (!JSON_NODE_HOLDS_OBJECT (element))
            return invalid (error, "sessions"), NULL;
          session = poste_session_report_new (provider);
          if (!read_counts (json_node_get_object (element), session, error))
            return NULL;
          g_ptr_array_add (report->sessions, g_steal_pointer (&session));
        }
    }
  else if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    return invalid (error, "sessions"), NULL;

  return g_steal_pointer (&report);
}
