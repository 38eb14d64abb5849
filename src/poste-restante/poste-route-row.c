/* poste-route-row.c: one route of the provider editor
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Mail for an address or a domain goes to its own target: the `route.ADDRESS=TARGET` keys of a
 * provider. The row shows the address as its title and the target as its subtitle; expanded, an
 * address field, a kind list and a location field, read as poste-editor-rows.c reads the
 * editor's own target. The editor checks what the row gives back (its address and target
 * properties) and marks its fields; the row only says when it changed and when its Remove
 * button was pressed.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "poste-accessible.h"
#include "poste-editor-rows.h"
#include "poste-route-row.h"

struct _PosteRouteRow
{
  AdwExpanderRow  parent_instance;

  /* What the fields mean: the address stripped, and the target spec. */
  char           *address;
  char           *target;
  /* The user has changed the route since it was shown. */
  gboolean        touched;

  /* Template children */
  GtkButton      *remove_button;
  AdwEntryRow    *address_row;
  AdwComboRow    *kind_row;
  AdwEntryRow    *location_row;
};

G_DEFINE_FINAL_TYPE (PosteRouteRow, poste_route_row, ADW_TYPE_EXPANDER_ROW)

enum {
  PROP_0,
  PROP_SPEC,
  PROP_ADDRESS,
  PROP_TARGET,
  PROP_TOUCHED,
  N_PROPS
};

enum {
  REMOVE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Reads the fields again: the title, the subtitle and the location field's name follow them. */
static void
route_read (PosteRouteRow *self)
{
  g_autofree char *address = _poste_entry_row_dup_stripped (self->address_row);
  g_autofree char *target = _poste_target_rows_dup_target (self->kind_row, self->location_row);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self),
                                 address[0] != '\0' ? address : _("New Route"));
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (self), target);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->location_row),
                                 _poste_target_rows_get_location_title (_poste_target_rows_get_kind (self->kind_row)));

  g_object_freeze_notify (G_OBJECT (self));
  if (g_strcmp0 (self->address, address) != 0)
    {
      g_free (self->address);
      self->address = g_steal_pointer (&address);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ADDRESS]);
    }
  if (g_strcmp0 (self->target, target) != 0)
    {
      g_free (self->target);
      self->target = g_steal_pointer (&target);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TARGET]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static void
route_changed (PosteRouteRow *self)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (!self->touched)
    {
      self->touched = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOUCHED]);
    }
  route_read (self);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
remove_clicked_cb (PosteRouteRow *self,
                   GtkButton     *button)
{
  g_signal_emit (self, signals[REMOVE], 0);
}

/* Construct-only: @spec ("address=target") fills the fields; without one the row opens empty
 * and expanded, for the user to fill. */
static void
poste_route_row_set_spec (PosteRouteRow *self,
                          const char    *spec)
{
  const char *eq = spec != NULL ? strchr (spec, '=') : NULL;

  if (eq != NULL)
    {
      g_autofree char *address = g_strndup (spec, (gsize)(eq - spec));

      gtk_editable_set_text (GTK_EDITABLE (self->address_row), address);
      _poste_target_rows_show (self->kind_row, self->location_row, eq + 1);
    }
  else
    adw_expander_row_set_expanded (ADW_EXPANDER_ROW (self), TRUE);
}

/**
 * poste_route_row_new:
 * @spec: (nullable): a route as the configuration has it, "address=target", or %NULL for a new one
 *
 * Returns: (transfer floating): a new #PosteRouteRow
 */
GtkWidget *
poste_route_row_new (const char *spec)
{
  return g_object_new (POSTE_TYPE_ROUTE_ROW,
                       "spec", spec,
                       NULL);
}

/**
 * poste_route_row_get_address:
 * @self: a #PosteRouteRow
 *
 * Returns: (transfer none): the address or domain typed, without white space at either end
 */
const char *
poste_route_row_get_address (PosteRouteRow *self)
{
  g_return_val_if_fail (POSTE_IS_ROUTE_ROW (self), NULL);

  return self->address;
}

/**
 * poste_route_row_get_target:
 * @self: a #PosteRouteRow
 *
 * Returns: (transfer none): the target the fields describe (_poste_target_rows_dup_target())
 */
const char *
poste_route_row_get_target (PosteRouteRow *self)
{
  g_return_val_if_fail (POSTE_IS_ROUTE_ROW (self), NULL);

  return self->target;
}

/**
 * poste_route_row_get_touched:
 * @self: a #PosteRouteRow
 *
 * Returns: whether the user changed the route since it was shown: only then may its fields turn
 *   red
 */
gboolean
poste_route_row_get_touched (PosteRouteRow *self)
{
  g_return_val_if_fail (POSTE_IS_ROUTE_ROW (self), FALSE);

  return self->touched;
}

/**
 * poste_route_row_get_address_row:
 * @self: a #PosteRouteRow
 *
 * Returns: (transfer none): the address field, for the editor to mark
 */
AdwEntryRow *
poste_route_row_get_address_row (PosteRouteRow *self)
{
  g_return_val_if_fail (POSTE_IS_ROUTE_ROW (self), NULL);

  return self->address_row;
}

/**
 * poste_route_row_get_location_row:
 * @self: a #PosteRouteRow
 *
 * Returns: (transfer none): the location field, for the editor to mark
 */
AdwEntryRow *
poste_route_row_get_location_row (PosteRouteRow *self)
{
  g_return_val_if_fail (POSTE_IS_ROUTE_ROW (self), NULL);

  return self->location_row;
}

static void
poste_route_row_constructed (GObject *object)
{
  PosteRouteRow *self = (PosteRouteRow *)object;

  G_OBJECT_CLASS (poste_route_row_parent_class)->constructed (object);

  /* Filled, not typed: the route is not the user's doing yet. */
  route_read (self);
  g_signal_connect_object (self->address_row, "changed", G_CALLBACK (route_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->location_row, "changed", G_CALLBACK (route_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->kind_row, "notify::selected", G_CALLBACK (route_changed), self,
                           G_CONNECT_SWAPPED);
}

static void
poste_route_row_finalize (GObject *object)
{
  PosteRouteRow *self = (PosteRouteRow *)object;

  g_clear_pointer (&self->address, g_free);
  g_clear_pointer (&self->target, g_free);

  G_OBJECT_CLASS (poste_route_row_parent_class)->finalize (object);
}

static void
poste_route_row_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  PosteRouteRow *self = POSTE_ROUTE_ROW (object);

  switch (prop_id)
    {
    case PROP_ADDRESS:
      g_value_set_string (value, self->address);
      break;
    case PROP_TARGET:
      g_value_set_string (value, self->target);
      break;
    case PROP_TOUCHED:
      g_value_set_boolean (value, self->touched);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
poste_route_row_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  PosteRouteRow *self = POSTE_ROUTE_ROW (object);

  switch (prop_id)
    {
    case PROP_SPEC:
      poste_route_row_set_spec (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
poste_route_row_class_init (PosteRouteRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = poste_route_row_constructed;
  object_class->finalize = poste_route_row_finalize;
  object_class->get_property = poste_route_row_get_property;
  object_class->set_property = poste_route_row_set_property;

  properties[PROP_SPEC] =
    g_param_spec_string ("spec", NULL, NULL,
                         NULL,
                         (G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_ADDRESS] =
    g_param_spec_string ("address", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_TARGET] =
    g_param_spec_string ("target", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_TOUCHED] =
    g_param_spec_boolean ("touched", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PosteRouteRow::remove:
   *
   * The user pressed Remove This Route: the editor takes the row away.
   */
  signals[REMOVE] =
    g_signal_new ("remove",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/posterestante/PosteRestante/ui/poste-route-row.ui");
  gtk_widget_class_bind_template_child (widget_class, PosteRouteRow, remove_button);
  gtk_widget_class_bind_template_child (widget_class, PosteRouteRow, address_row);
  gtk_widget_class_bind_template_child (widget_class, PosteRouteRow, kind_row);
  gtk_widget_class_bind_template_child (widget_class, PosteRouteRow, location_row);
  gtk_widget_class_bind_template_callback (widget_class, remove_clicked_cb);
}

static void
poste_route_row_init (PosteRouteRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  poste_accessible_name_button (self->remove_button, _("Remove This Route"));
}
