/* poste-history.c: what happened, one record per fetch round, with its redacted transcript
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One JSON file per round (PosteFetch writes it once, listing the round's sessions) under
 * `$XDG_STATE_HOME/poste-restante/history/`, named after the round's start time (UTC,
 * microseconds) so that names sort by time, then a random part and the provider's name:
 * "20261129T153000.123456Z-1a2b3c4d-acme.json". A file is written whole with
 * g_file_set_contents_full() (a temporary file renamed over), so a reader sees a record entirely
 * or not at all. The history is bounded: at most max-records files (the oldest go first), and
 * each transcript is cut to its first and last lines.
 *
 * This file is the folder of records: naming, bounding, listing and clearing them; one record's
 * JSON, with its transcript redacted and bounded, is poste-history-record.c's.
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "poste-error.h"
#include "poste-enums.h"
#include "poste-history.h"

#define RECORD_SUFFIX ".json"

struct _PosteHistory
{
  GObject  parent_instance;

  char    *dir;
  guint    max_records;
};

G_DEFINE_FINAL_TYPE (PosteHistory, poste_history, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DIR,
  PROP_MAX_RECORDS,
  N_PROPS
};

enum {
  ADDED,
  N_SIGNALS
};

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];


static void
poste_history_finalize (GObject *object)
{
  PosteHistory *self = (PosteHistory *)object;

  g_clear_pointer (&self->dir, g_free);

  G_OBJECT_CLASS (poste_history_parent_class)->finalize (object);
}

static void
poste_history_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  PosteHistory *self = POSTE_HISTORY (object);

  switch (prop_id)
    {
    case PROP_DIR:
      g_value_set_string (value, self->dir);
      break;
    case PROP_MAX_RECORDS:
      g_value_set_uint (value, self->max_records);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
poste_history_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  PosteHistory *self = POSTE_HISTORY (object);

  switch (prop_id)
    {
    case PROP_DIR:
      g_assert (self->dir == NULL);
      self->dir = g_value_dup_string (value);
      if (self->dir == NULL)
        self->dir = poste_history_dup_default_dir ();
      break;
    case PROP_MAX_RECORDS:
      poste_history_set_max_records (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
poste_history_class_init (PosteHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = poste_history_finalize;
  object_class->get_property = poste_history_get_property;
  object_class->set_property = poste_history_set_property;

  /**
   * PosteHistory:dir:
   *
   * The directory of the records.
   */
  properties[PROP_DIR] =
    g_param_spec_string ("dir", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * PosteHistory:max-records:
   *
   * How many records are kept; adding one more removes the oldest.
   */
  properties[PROP_MAX_RECORDS] =
    g_param_spec_uint ("max-records", NULL, NULL, 1, G_MAXUINT, POSTE_HISTORY_DEFAULT_MAX_RECORDS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PosteHistory::added:
   * @self: the #PosteHistory
   * @report: the #PosteSessionReport as stored (redacted and bounded)
   *
   * A record was added.
   */
  signals[ADDED] =
    g_signal_new ("added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, POSTE_TYPE_SESSION_REPORT | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
poste_history_init (PosteHistory *self)
{
  self->max_records = POSTE_HISTORY_DEFAULT_MAX_RECORDS;
}

/**
 * poste_history_dup_default_dir:
 *
 * Returns: (transfer full): `$XDG_STATE_HOME/poste-restante/history`
 */
char *
poste_history_dup_default_dir (void)
{
  return g_build_filename (g_get_user_state_dir (), "poste-restante", "history", NULL);
}

/**
 * poste_history_new:
 * @dir: (nullable): the records' directory, or %NULL for poste_history_dup_default_dir()
 *
 * The directory is made when the first record is added.
 *
 * Returns: (transfer full): a new #PosteHistory
 */
PosteHistory *
poste_history_new (const char *dir)
{
  return g_object_new (POSTE_TYPE_HISTORY, "dir", dir, NULL);
}

/**
 * poste_history_get_dir:
 * @self: a #PosteHistory
 *
 * Returns: (transfer none): the records' directory
 */
const char *
poste_history_get_dir (PosteHistory *self)
{
  g_return_val_if_fail (POSTE_IS_HISTORY (self), NULL);
  return self->dir;
}

/**
 * poste_history_get_max_records:
 * @self: a #PosteHistory
 *
 * Returns: how many records are kept
 */
guint
poste_history_get_max_records (PosteHistory *self)
{
  g_return_val_if_fail (POSTE_IS_HISTORY (self), 0);
  return self->max_records;
}

/**
 * poste_history_set_max_records:
 * @self: a #PosteHistory
 * @max_records: how many records to keep, at least 1; the excess goes at the next add
 */
void
poste_history_set_max_records (PosteHistory *self,
                               guint         max_records)
{
  g_return_if_fail (POSTE_IS_HISTORY (self));
  g_return_if_fail (max_records >= 1);

  if (self->max_records == max_records)
    return;
  self->max_records = max_records;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_RECORDS]);
}
static char *
record_name (const PosteSessionReport *report)
{
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GDateTime) utc = NULL;
  g_autofree char *stamp = NULL;
  GString *name = g_string_new (NULL);

  if (report->started == NULL)
    now = g_date_time_new_now_utc ();
  utc = g_date_time_to_utc (report->started != NULL ? report->started : now);
  stamp = g_date_time_format (utc, "%Y%m%dT%H%M%S");
  g_string_append_printf (name, "%s.%06dZ-%08x-", stamp, g_date_time_get_microsecond (utc),
                          g_random_int ());
  for (const char *p = report->provider != NULL ? report->provider : ""; *p != '\0' && name->len < 120; p++)
    g_string_append_c (name, g_ascii_isalnum (*p) || strchr ("._-+@", *p) != NULL ? *p : '_');
  g_string_append (name, RECORD_SUFFIX);
  return g_string_free (name, FALSE);
}

static gint
compare_desc (gconstpointer a,
              gconstpointer b)
{
  return -g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

/* The records' file names, newest first. A missing directory is an empty history. */
static GPtrArray *
list_names (PosteHistory  *self,
            GError       **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDir) dir = g_dir_open (self->dir, 0, &local_error);
  const char *name;

  if (dir == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&names);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, RECORD_SUFFIX) && g_ascii_isdigit (name[0]))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_desc);
  return g_steal_pointer (&names);
}

/**
 * poste_history_add:
 * @self: a #PosteHistory
 * @report: the session's report
 * @error: a #GError, or %NULL
 *
 * Stores @report as a new record (mode 0600 in a 0700 directory, written whole), then removes
 * the oldest records beyond #PosteHistory:max-records, and emits #PosteHistory::added.
 *
 * Returns: %TRUE on success; otherwise %FALSE with a %G_FILE_ERROR
 */
gboolean
poste_history_add (PosteHistory              *self,
                   const PosteSessionReport  *report,
                   GError                   **error)
{
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  g_autofree char *data = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(PosteSessionReport) stored = NULL;
  gsize length = 0;

  g_return_val_if_fail (POSTE_IS_HISTORY (self), FALSE);
  g_return_val_if_fail (report != NULL, FALSE);

  if (g_mkdir_with_parents (self->dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno), "%s: %s",
                   self->dir, g_strerror (saved_errno));
      return FALSE;
    }

  name = record_name (report);
  path = g_build_filename (self->dir, name, NULL);
  data = poste_session_report_to_json (report, &length);
  if (!g_file_set_contents_full (path, data, length, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    return FALSE;

  names = list_names (self, NULL);
  for (guint i = self->max_records; names != NULL && i < names->len; i++)
    {
      g_autofree char *old = g_build_filename (self->dir, names->pdata[i], NULL);

      if (g_unlink (old) != 0 && errno != ENOENT)
        g_debug ("history: cannot remove %s: %s", old, g_strerror (errno));
    }

  stored = poste_session_report_from_json (data, length, NULL);
  if (stored != NULL)
    g_signal_emit (self, signals[ADDED], 0, stored);
  return TRUE;
}

/**
 * poste_history_list:
 * @self: a #PosteHistory
 * @provider: (nullable): only this provider's records, or %NULL for all
 * @limit: the most records returned, 0 for all
 * @error: a #GError, or %NULL
 *
 * Reads the records back, newest first. Records that cannot be read (damaged, too large) are
 * skipped with a debug message.
 *
 * Returns: (transfer full) (element-type PosteSessionReport): the reports; %NULL with a
 *   %G_FILE_ERROR when the directory cannot be read
 */
GPtrArray *
poste_history_list (PosteHistory  *self,
                    const char    *provider,
                    guint          limit,
                    GError       **error)
{
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GPtrArray) reports = NULL;

  g_return_val_if_fail (POSTE_IS_HISTORY (self), NULL);

  names = list_names (self, error);
  if (names == NULL)
    return NULL;

  reports = g_ptr_array_new_with_free_func ((GDestroyNotify) poste_session_report_free);
  for (guint i = 0; i < names->len && (limit == 0 || reports->len < limit); i++)
    {
      g_autofree char *path = g_build_filename (self->dir, names->pdata[i], NULL);
      g_autofree char *data = NULL;
      g_autoptr(GError) local_error = NULL;
      PosteSessionReport *report;
      GStatBuf st;
      gsize length;

      if (g_stat (path, &st) != 0 || st.st_size > POSTE_HISTORY_MAX_RECORD_SIZE)
        continue;
      if (!g_file_get_contents (path, &data, &length, &local_error)
          || length > POSTE_HISTORY_MAX_RECORD_SIZE)
        {
          g_debug ("history: skipping %s: %s", path,
                   local_error != NULL ? local_error->message : "too large");
          continue;
        }
      report = poste_session_report_from_json (data, length, &local_error);
      if (report == NULL)
        {
          g_debug ("history: skipping %s: %s", path, local_error->message);
          continue;
        }
      if (provider != NULL && g_strcmp0 (report->provider, provider) != 0)
        {
          poste_session_report_free (report);
          continue;
        }
      g_ptr_array_add (reports, report);
    }
  return g_steal_pointer (&reports);
}

/**
 * poste_history_clear:
 * @self: a #PosteHistory
 * @error: a #GError, or %NULL
 *
 * Removes every record.
 *
 * Returns: %TRUE on success; otherwise %FALSE with a %G_FILE_ERROR
 */
gboolean
poste_history_clear (PosteHistory  *self,
                     GError       **error)
{
  g_autoptr(GPtrArray) names = NULL;

  g_return_val_if_fail (POSTE_IS_HISTORY (self), FALSE);

  names = list_names (self, error);
  if (names == NULL)
    return FALSE;
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (self->dir, names->pdata[i], NULL);

      if (g_unlink (path) != 0 && errno != ENOENT)
        {
          int saved_errno = errno;

          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno), "%s: %s",
                       path, g_strerror (saved_errno));
          return FALSE;
        }
    }
  return TRUE;
}
