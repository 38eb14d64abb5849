/* poste-scheduler-rounds.c: the provider list the scheduler follows, and the fetch rounds it runs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "poste-fetch.h"
#include "poste-provider.h"
#include "poste-scheduler-private.h"

/* Applies the provider list to the entries: the ones gone are removed, the new ones added, the
 * changed ones updated (a provider stopped by an authentication failure is then tried again). */
static void
sync_providers (PosteScheduler *self)
{
  g_autoptr(GHashTable) present = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  guint n = g_list_model_get_n_items (self->providers);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PosteProvider) provider = g_list_model_get_item (self->providers, i);
      const char *name = poste_provider_get_name (provider);
      PosteProvider *applied = g_hash_table_lookup (self->applied, name);
      g_autoptr(GError) error = NULL;
      PosteProviderSync sync;

      g_hash_table_add (present, (gpointer) name);
      if (_poste_scheduler_find_entry (self, name) == NULL)
        sync = poste_scheduler_add_provider (self, provider, &error)
                 ? POSTE_PROVIDER_SYNC_ADDED : POSTE_PROVIDER_SYNC_FAILED;
      else if (applied == NULL || !poste_provider_equal (applied, provider))
        sync = poste_scheduler_update_provider (self, provider, &error)
                 ? POSTE_PROVIDER_SYNC_UPDATED : POSTE_PROVIDER_SYNC_FAILED;
      else
        continue;

      if (sync != POSTE_PROVIDER_SYNC_FAILED)
        g_hash_table_replace (self->applied, g_strdup (name), poste_provider_copy (provider));
      g_signal_emit (self, _poste_scheduler_signals[SCHEDULER_SIGNAL_PROVIDER_SYNCED], 0, name, sync, error);
    }

  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);

      if (!g_hash_table_contains (present, entry->name))
        g_ptr_array_add (gone, g_strdup (entry->name));
    }
  for (guint i = 0; i < gone->len; i++)
    {
      poste_scheduler_remove_provider (self, gone->pdata[i]);
      g_signal_emit (self, _poste_scheduler_signals[SCHEDULER_SIGNAL_PROVIDER_SYNCED], 0, gone->pdata[i],
                     POSTE_PROVIDER_SYNC_REMOVED, NULL);
    }
}

static void
providers_changed_cb (GListModel     *providers,
                      guint           position,
                      guint           removed,
                      guint           added,
                      PosteScheduler *self)
{
  sync_providers (self);
}

/**
 * poste_scheduler_follow_providers:
 * @self: a #PosteScheduler
 * @providers: (nullable): a list of #PosteProvider, such as poste_config_get_providers(); %NULL
 *   to follow none (every provider is removed)
 *
 * Makes the scheduler know exactly @providers, now and whenever the list changes: a provider
 * that appears is added, one that disappears removed, and one whose settings differ from the
 * ones last applied (poste_provider_equal()) updated (poste_scheduler_update_provider()). A new
 * list (a configuration read again) replaces the old one the same way. Each change is told by
 * #PosteScheduler::provider-synced. A provider whose settings cannot be scheduled (its active
 * hours, say) is left out, with %POSTE_PROVIDER_SYNC_FAILED.
 */
void
poste_scheduler_follow_providers (PosteScheduler *self,
                                  GListModel     *providers)
{
  g_autoptr(GListModel) empty = NULL;

  g_return_if_fail (POSTE_IS_SCHEDULER (self));
  g_return_if_fail (providers == NULL || G_IS_LIST_MODEL (providers));

  if (self->providers != NULL)
    g_signal_handlers_disconnect_by_data (self->providers, self);
  if (providers == NULL)
    providers = empty = G_LIST_MODEL (g_list_store_new (POSTE_TYPE_PROVIDER));
  g_set_object (&self->providers, providers);
  if (self->applied == NULL)
    self->applied = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  g_signal_connect_object (providers, "items-changed", G_CALLBACK (providers_changed_cb), self, 0);
  sync_providers (self);
}

static void
round_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(PosteScheduler) self = user_data;
  PosteFetch *round = POSTE_FETCH (object);
  g_autoptr(PosteSessionReport) report = poste_fetch_run_finish (round, result, NULL);
  g_autofree char *name = g_strdup (poste_provider_get_name (poste_fetch_get_provider (round)));
  g_autoptr(PosteFetch) kept = g_object_ref (round);

  /* Disposed meanwhile: the rounds were cancelled and nobody is left to tell. */
  if (self->rounds == NULL)
    return;
  g_hash_table_remove (self->rounds, name);
  poste_scheduler_fetch_finished (self, name, report->outcome, report->error);
  g_signal_emit (self, _poste_scheduler_signals[SCHEDULER_SIGNAL_ROUND_FINISHED], 0, kept, report);
}

/* A due fetch of @name, as a round of its own. */
void
_poste_scheduler_start_round (PosteScheduler   *self,
             const char       *name,
             PosteFetchReason  reason)
{
  g_autoptr(PosteFetch) round = NULL;
  g_autoptr(PosteProvider) provider = NULL;
  guint n = self->providers != NULL ? g_list_model_get_n_items (self->providers) : 0;

  for (guint i = 0; i < n && provider == NULL; i++)
    {
      g_autoptr(PosteProvider) item = g_list_model_get_item (self->providers, i);

      if (g_strcmp0 (poste_provider_get_name (item), name) == 0)
        provider = g_steal_pointer (&item);
    }
  if (provider == NULL || g_hash_table_contains (self->rounds, name))
    {
      poste_scheduler_fetch_finished (self, name, POSTE_SESSION_OUTCOME_CANCELLED, NULL);
      return;
    }

  round = poste_fetch_new (provider, self->history, self->outbox);
  /* Only the user's Fetch now may show the keyring's unlock prompt: a scheduled fetch that
   * finds it locked waits for the next unlock (see poste_scheduler_fetch_finished()). */
  poste_fetch_set_interactive (round, reason == POSTE_FETCH_REASON_MANUAL);
  g_hash_table_insert (self->rounds, g_strdup (name), g_object_ref (round));
  g_signal_emit (self, _poste_scheduler_signals[SCHEDULER_SIGNAL_ROUND_STARTED], 0, round, reason);
  poste_fetch_run_async (round, NULL, round_done_cb, g_object_ref (self));
}

/**
 * poste_scheduler_run_rounds:
 * @self: a #PosteScheduler that follows a provider list (poste_scheduler_follow_providers())
 * @history: (nullable): where each round writes its record
 * @outbox: (nullable): the outbox each round submits
 *
 * From now on the scheduler runs every due fetch itself, as a #PosteFetch round of the provider
 * in the followed list: #PosteScheduler::round-started, then #PosteScheduler::round-finished,
 * and the outcome goes into the backoff without the front end's help. #PosteScheduler::fetch is
 * no longer emitted. The application and `run` both work this way; the scheduler's own tests
 * drive #PosteScheduler::fetch with a manual clock.
 */
void
poste_scheduler_run_rounds (PosteScheduler *self,
                            PosteHistory   *history,
                            PosteOutbox    *outbox)
{
  g_return_if_fail (POSTE_IS_SCHEDULER (self));
  g_return_if_fail (history == NULL || POSTE_IS_HISTORY (history));
  g_return_if_fail (outbox == NULL || POSTE_IS_OUTBOX (outbox));

  self->runs_rounds = TRUE;
  g_set_object (&self->history, history);
  g_set_object (&self->outbox, outbox);
  if (self->rounds == NULL)
    self->rounds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

/**
 * poste_scheduler_get_round:
 * @self: a #PosteScheduler
 * @name: a provider's name
 *
 * Returns: (transfer none) (nullable): @name's running round, or %NULL
 */
PosteFetch *
poste_scheduler_get_round (PosteScheduler *self,
                           const char     *name)
{
  g_return_val_if_fail (POSTE_IS_SCHEDULER (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return self->rounds != NULL ? g_hash_table_lookup (self->rounds, name) : NULL;
}

/**
 * poste_scheduler_get_n_rounds:
 * @self: a #PosteScheduler
 *
 * Returns: how many rounds are running
 */
guint
poste_scheduler_get_n_rounds (PosteScheduler *self)
{
  g_return_val_if_fail (POSTE_IS_SCHEDULER (self), 0);

  return self->rounds != NULL ? g_hash_table_size (self->rounds) : 0;
}

/**
 * poste_scheduler_stop_rounds:
 * @self: a #PosteScheduler
 *
 * Stops every running round cleanly (poste_fetch_cancel(): 421 in the reversed state, so the
 * providers keep what was not taken); each still ends with its record and
 * #PosteScheduler::round-finished.
 */
void
poste_scheduler_stop_rounds (PosteScheduler *self)
{
  GHashTableIter iter;
  gpointer round;

  g_return_if_fail (POSTE_IS_SCHEDULER (self));

  if (self->rounds == NULL)
    return;
  g_hash_table_iter_init (&iter, self->rounds);
  while (g_hash_table_iter_next (&iter, NULL, &round))
    poste_fetch_cancel (round);
}
