/* poste-outbox-row.c: a queued message in the Outbox window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One queued message: its recipients as the title; its sender, size and where it stands
 * (queued, deferred until a time, failed) with the relay's last answer as the subtitle. A message
 * no provider will ever submit says so, with the button that fixes it. Its Send Now and Remove
 * buttons (row.send-now, row.remove) pass on to the window's outbox.send-now and outbox.remove
 * with the message's id: the row holds no behaviour of its own, and row.send-now is enabled
 * only when sending now can help. A queued message does not change while it is shown: the
 * window makes new rows when the queue changes.
 */
#include "config.h"

#include <glib/gi18n.h>

#include <poste-outbox-submit.h>
#include <poste-provider.h>

#include "poste-accessible.h"
#include "poste-outbox-row.h"

struct _PosteOutboxRow
{
  AdwActionRow     parent_instance;

  PosteOutboxItem *item;
  /* The configuration's providers, to tell whether the message has a way out; NULL when
   * they are not known (nothing is said then). */
  GListModel      *providers;
  char            *recipients;

  /* Template children */
  GtkButton       *fix_button;
  GtkButton       *send_button;
  GtkButton       *remove_button;
};

G_DEFINE_FINAL_TYPE (PosteOutboxRow, poste_outbox_row, ADW_TYPE_ACTION_ROW)

enum {
  PROP_0,
  PROP_ITEM,
  PROP_PROVIDERS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
describe_state (const PosteOutboxItem *item)
{
  switch (item->state)
    {
    case POSTE_OUTBOX_STATE_DEFERRED:
      {
        g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (item->next_attempt);
        g_autofree char *time = g_date_time_format (when, "%x %X");

        /* Translators: %u is a count of attempts, %s a date and time */
        return g_strdup_printf (ngettext ("Deferred after %u attempt, next at %s",
                                          "Deferred after %u attempts, next at %s",
                                          item->attempts), item->attempts, time);
      }
    case POSTE_OUTBOX_STATE_FAILED:
      return g_strdup (_("Failed: refused by the provider, and the bounce could not be "
                         "delivered"));
    case POSTE_OUTBOX_STATE_QUEUED:
    default:
      return g_strdup (_("Waiting for the next connection"));
    }
}

/* The provider that submits the message: the one whose domains hold its sender. */
static PosteProvider *
find_provider (PosteOutboxRow *self)
{
  for (guint i = 0; i < g_list_model_get_n_items (self->providers); i++)
    {
      g_autoptr(PosteProvider) provider = g_list_model_get_item (self->providers, i);

      if (poste_outbox_sender_belongs (provider, self->item->sender))
        return provider;
    }
  return NULL;
}

/* When the message cannot leave, sets up the button that fixes it (its label and action) and
 * returns why; NULL when it can (or when the providers are not known). */
static char *
offer_fix (PosteOutboxRow *self)
{
  PosteProvider *provider;

  if (self->providers == NULL)
    return NULL;

  provider = find_provider (self);
  if (provider == NULL)
    {
      gtk_button_set_label (self->fix_button, _("_Add Provider"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->fix_button), "app.add-provider");
      return g_strdup (_("Cannot leave: no provider has the sender’s domain"));
    }
  if (poste_provider_get_submission (provider) == NULL)
    {
      gtk_button_set_label (self->fix_button, _("Set _Submission Server"));
      gtk_actionable_set_action_target (GTK_ACTIONABLE (self->fix_button), "s",
                                        poste_provider_get_name (provider));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->fix_button), "app.edit-provider");
      /* Translators: %s is a provider's name */
      return g_strdup_printf (_("Cannot leave: %s has no submission server"),
                              poste_provider_get_display_name (provider));
    }
  return NULL;
}

static void
show_item (PosteOutboxRow *self)
{
  const PosteOutboxItem *item = self->item;
  g_autofree char *state = describe_state (item);
  g_autofree char *size = g_format_size (item->size);
  g_autofree char *blocked = offer_fix (self);
  g_autofree char *send_name = NULL;
  g_autofree char *remove_name = NULL;
  g_autoptr(GString) subtitle = g_string_new (NULL);

  self->recipients = g_strjoinv (", ", item->recipients);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), self->recipients);

  /* Translators: %s is a mail address */
  g_string_append_printf (subtitle, _("From %s"), *item->sender != '\0' ? item->sender : "<>");
  g_string_append_printf (subtitle, " · %s · %s", size, state);
  /* Rather than waiting for a connection that will not take it. */
  if (blocked != NULL)
    g_string_append_printf (subtitle, "\n%s", blocked);
  if (item->last_error != NULL)
    g_string_append_printf (subtitle, "\n%s", item->last_error);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle->str);

  gtk_widget_set_visible (GTK_WIDGET (self->fix_button), blocked != NULL);
  /* A queued message leaves at the next connection anyway; a blocked one cannot leave. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "row.send-now",
                                 blocked == NULL && item->state != POSTE_OUTBOX_STATE_QUEUED);

  /* Translators: the accessible name of a queued message's Send Now button; %s lists its
   * recipients */
  send_name = g_strdup_printf (_("Send the message to %s now"), self->recipients);
  poste_accessible_name_button (self->send_button, send_name);
  /* Translators: the accessible name of a queued message's Remove button; %s lists its
   * recipients */
  remove_name = g_strdup_printf (_("Remove the message to %s"), self->recipients);
  poste_accessible_name_button (self->remove_button, remove_name);
}

static void
send_now_activated (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  PosteOutboxRow *self = POSTE_OUTBOX_ROW (widget);

  gtk_widget_activate_action (widget, "outbox.send-now", "s", self->item->id);
}

static void
remove_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  PosteOutboxRow *self = POSTE_OUTBOX_ROW (widget);

  gtk_widget_activate_action (widget, "outbox.remove", "s", self->item->id);
}

static void
poste_outbox_row_constructed (GObject *object)
{
  PosteOutboxRow *self = POSTE_OUTBOX_ROW (object);

  G_OBJECT_CLASS (poste_outbox_row_parent_class)->constructed (object);

  g_return_if_fail (self->item != NULL);
  show_item (self);
  poste_accessible_fix (GTK_WIDGET (self));
}

static void
poste_outbox_row_finalize (GObject *object)
{
  PosteOutboxRow *self = POSTE_OUTBOX_ROW (object);

  g_clear_pointer (&self->item, poste_outbox_item_free);
  g_clear_object (&self->providers);
  g_free (self->recipients);
  G_OBJECT_CLASS (poste_outbox_row_parent_class)->finalize (object);
}

static void
poste_outbox_row_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  PosteOutboxRow *self = POSTE_OUTBOX_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      g_value_set_boxed (value, self->item);
      break;
    case PROP_PROVIDERS:
      g_value_set_object (value, self->providers);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
poste_outbox_row_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  PosteOutboxRow *self = POSTE_OUTBOX_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      self->item = g_value_dup_boxed (value);
      break;
    case PROP_PROVIDERS:
      self->providers = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
poste_outbox_row_class_init (PosteOutboxRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = poste_outbox_row_constructed;
  object_class->finalize = poste_outbox_row_finalize;
  object_class->get_property = poste_outbox_row_get_property;
  object_class->set_property = poste_outbox_row_set_property;

  /* Construct-only: a row shows one state of the queue; a change makes a new row. */
  properties[PROP_ITEM] =
    g_param_spec_boxed ("item", NULL, NULL,
                        POSTE_TYPE_OUTBOX_ITEM,
                        (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_PROVIDERS] =
    g_param_spec_object ("providers", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/posterestante/PosteRestante/ui/poste-outbox-row.ui");
  gtk_widget_class_bind_template_child (widget_class, PosteOutboxRow, fix_button);
  gtk_widget_class_bind_template_child (widget_class, PosteOutboxRow, send_button);
  gtk_widget_class_bind_template_child (widget_class, PosteOutboxRow, remove_button);

  gtk_widget_class_install_action (widget_class, "row.send-now", NULL, send_now_activated);
  gtk_widget_class_install_action (widget_class, "row.remove", NULL, remove_activated);
}

static void
poste_outbox_row_init (PosteOutboxRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * poste_outbox_row_new:
 * @item: (not nullable): the queued message, copied
 * @providers: (nullable): the configuration's providers, a #GListModel of #PosteProvider, to
 *   say when the message cannot leave (a sender whose domain is no provider's, or a provider
 *   with no submission server, RFC 6409) with the button that fixes it (app.add-provider,
 *   app.edit-provider::NAME); %NULL says nothing of it
 *
 * Returns: (transfer floating): a new row
 */
GtkWidget *
poste_outbox_row_new (const PosteOutboxItem *item,
                      GListModel            *providers)
{
  g_return_val_if_fail (item != NULL, NULL);
  g_return_val_if_fail (providers == NULL || G_IS_LIST_MODEL (providers), NULL);

  return g_object_new (POSTE_TYPE_OUTBOX_ROW,
                       "item", item,
                       "providers", providers,
                       NULL);
}

/**
 * poste_outbox_row_get_item:
 * @self: a #PosteOutboxRow
 *
 * Returns: (transfer none): the message the row shows
 */
const PosteOutboxItem *
poste_outbox_row_get_item (PosteOutboxRow *self)
{
  g_return_val_if_fail (POSTE_IS_OUTBOX_ROW (self), NULL);
  return self->item;
}

/**
 * poste_outbox_row_get_recipients:
 * @self: a #PosteOutboxRow
 *
 * Returns: (transfer none): the message's recipients as the row's title says them, separated
 *   by ", "
 */
const char *
poste_outbox_row_get_recipients (PosteOutboxRow *self)
{
  g_return_val_if_fail (POSTE_IS_OUTBOX_ROW (self), NULL);
  return self->recipients;
}
