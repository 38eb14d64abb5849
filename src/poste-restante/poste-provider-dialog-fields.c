/* poste-provider-dialog-fields.c: the provider editor's fields, to a provider and back
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every key of a provider's configuration group has its field. Each field is checked as it is
 * typed, with the same validation the configuration file gets
 * (poste_config_validate_provider()): the row turns red and the message below the form says
 * why, once the user has touched it. Filling the fields from a configured provider is here too,
 * so that the two directions stay each other's mirror.
 */
#include "config.h"

#include <glib/gi18n.h>

#include <poste-error.h>
#include <poste-fingerprint.h>
#include <poste-sandbox.h>

#include "poste-accessible.h"
#include "poste-application.h"
#include "poste-config.h"
#include "poste-provider.h"
#include "poste-provider-dialog-private.h"
#include "poste-route-row.h"
#include "poste-schedule-group.h"

/* The user has typed in @row since the dialog opened: only then may it turn red. */
static void
field_touched_cb (GtkWidget *row)
{
  g_object_set_data (G_OBJECT (row), "poste-touched", GINT_TO_POINTER (TRUE));
}

/* Marks @row valid (@message NULL) or not. A problem shows once the user has touched the field,
 * beside it: the row turns red and an error icon at its end says what is wrong (its tooltip);
 * for a screen reader the row is invalid, described by the message below the form. */
static void
mark_row_message (PosteProviderDialog *self,
                  gpointer             row,
                  const char          *message)
{
  GtkWidget *icon = g_object_get_data (G_OBJECT (row), "poste-error-icon");
  gboolean shown = message != NULL && g_object_get_data (G_OBJECT (row), "poste-touched") != NULL;

  if (icon == NULL && shown && ADW_IS_ENTRY_ROW (row))
    {
      icon = gtk_image_new_from_icon_name ("dialog-error-symbolic");
      gtk_widget_add_css_class (icon, "error");
      adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), icon);
      g_object_set_data (G_OBJECT (row), "poste-error-icon", icon);
    }
  if (icon != NULL)
    {
      gtk_widget_set_visible (icon, shown);
      gtk_widget_set_tooltip_text (icon, shown && message[0] != '\0' ? message : NULL);
      if (shown && message[0] != '\0')
        poste_accessible_name_image (GTK_IMAGE (icon), message);
    }
  poste_accessible_set_invalid (GTK_WIDGET (row), shown ? GTK_WIDGET (self->message_label) : NULL);
}

static void
forget_touched (GtkWidget *widget)
{
  g_object_set_data (G_OBJECT (widget), "poste-touched", NULL);
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    forget_touched (child);
}

static void
mark_row (PosteProviderDialog *self,
          gpointer             row,
          gboolean             valid)
{
  mark_row_message (self, row, valid ? NULL : "");
}

/* Splits a list the way people type it: commas, semicolons or spaces. */
static GStrv
split_list (const char *text,
            const char *pattern)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) parts = g_regex_split_simple (pattern, text, 0, 0);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (parts[i][0] != '\0')
        g_strv_builder_add (builder, parts[i]);
    }

  return g_strv_builder_end (builder);
}

/* The security and sign-in lists are the core's GEnum types, in their order, with the core's
 * labels: a position is mapped to a value through the type, never cast. */
typedef const char *(*EnumLabel) (int value);

static const char *
security_label (int value)
{
  return poste_security_get_label ((PosteSecurity) value);
}

static const char *
auth_label (int value)
{
  return poste_auth_get_label ((PosteAuth) value);
}

static const char *
mode_label (int value)
{
  return poste_mode_get_label ((PosteMode) value);
}

static void
fill_enum_row (AdwComboRow *row,
               GType        type,
               EnumLabel    label)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (type);
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);

  for (guint i = 0; i < klass->n_values; i++)
    gtk_string_list_append (list, label (klass->values[i].value));
  adw_combo_row_set_model (row, G_LIST_MODEL (list));
}

static int
get_enum_row (AdwComboRow *row,
              GType        type,
              int          fallback)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (type);
  guint position = adw_combo_row_get_selected (row);

  return position < klass->n_values ? klass->values[position].value : fallback;
}

static void
set_enum_row (AdwComboRow *row,
              GType        type,
              int          value)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (type);

  for (guint i = 0; i < klass->n_values; i++)
    if (klass->values[i].value == value)
      adw_combo_row_set_selected (row, i);
}

/* Routes */

static void
route_remove_cb (PosteProviderDialog *self,
                 PosteRouteRow       *route)
{
  adw_preferences_group_remove (self->routes_group, GTK_WIDGET (route));
  g_ptr_array_remove (self->routes, route);
  _poste_provider_dialog_update (self);
}

/* Adds a row for @spec ("address=target"), or an empty one, expanded, for the user to fill. */
static PosteRouteRow *
routes_add (PosteProviderDialog *self,
            const char          *spec)
{
  GtkWidget *route = poste_route_row_new (spec);

  g_signal_connect_object (route, "remove", G_CALLBACK (route_remove_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (route, "notify::touched", G_CALLBACK (_poste_provider_dialog_update),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (route, "notify::address", G_CALLBACK (_poste_provider_dialog_update),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (route, "notify::target", G_CALLBACK (_poste_provider_dialog_update),
                           self, G_CONNECT_SWAPPED);

  poste_accessible_fix (route);
  adw_preferences_group_add (self->routes_group, route);
  g_ptr_array_add (self->routes, route);
  return POSTE_ROUTE_ROW (route);
}

/* The provider.add-route action: a new route, expanded, its address field focused. */
void
_poste_provider_dialog_add_route (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *param)
{
  PosteProviderDialog *self = POSTE_PROVIDER_DIALOG (widget);
  PosteRouteRow *route = routes_add (self, NULL);

  gtk_widget_grab_focus (GTK_WIDGET (poste_route_row_get_address_row (route)));
  _poste_provider_dialog_update (self);
}

/* Names */

/* The longest configuration name poste_config_check_name() takes. */
#define NAME_MAX_CHARS 64

/* A configuration name for what the user called the provider: letters and digits of any script
 * kept, runs of anything else made one '-', so "Mon fournisseur (travail)" is
 * "Mon-fournisseur-travail"; "-2", "-3"... when another provider has it already. The name names
 * the keyfile group, the keyring item and the history, so it is chosen once, when the provider is
 * added: renaming changes only the label. */
static char *
name_for_label (PosteConfig *config,
                const char  *label)
{
  g_autoptr(GString) base = g_string_new (NULL);
  g_autofree char *candidate = NULL;
  guint chars = 0;

  for (const char *p = label; *p != '\0' && chars < NAME_MAX_CHARS - 4; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isalnum (c) || strchr ("._+@", (int) c) != NULL)
        g_string_append_unichar (base, c), chars++;
      else if (base->len > 0 && base->str[base->len - 1] != '-')
        g_string_append_c (base, '-'), chars++;
    }
  while (base->len > 0 && base->str[base->len - 1] == '-')
    g_string_truncate (base, base->len - 1);
  if (base->len == 0)
    g_string_append (base, "provider");

  candidate = g_strdup (base->str);
  for (guint n = 2; config != NULL && poste_config_lookup (config, candidate) != NULL; n++)
    {
      g_free (candidate);
      candidate = g_strdup_printf ("%s-%u", base->str, n);
    }

  return g_steal_pointer (&candidate);
}

/* Another provider already shown under @label. */
static gboolean
label_taken (PosteConfig *config,
             const char  *label,
             const char  *editing)
{
  GListModel *providers;

  if (config == NULL)
    return FALSE;
  providers = poste_config_get_providers (config);
  for (guint i = 0; i < g_list_model_get_n_items (providers); i++)
    {
      g_autoptr(PosteProvider) other = g_list_model_get_item (providers, i);

      if (g_strcmp0 (poste_provider_get_name (other), editing) != 0 &&
          g_utf8_collate (poste_provider_get_display_name (other), label) == 0)
        return TRUE;
    }

  return FALSE;
}

/* Builds the provider the fields describe. With @check_name, a name already taken by another
 * provider is an error. Each field is marked as it is checked; the first problem is returned. */
PosteProvider *
_poste_provider_dialog_build (PosteProviderDialog  *self,
                              gboolean              check_name,
                              GError              **error)
{
  g_autoptr(PosteProvider) provider = NULL;
  g_autoptr(GError) first = NULL;
  g_autoptr(GError) name_error = NULL;
  g_autofree char *label = _poste_entry_row_dup_stripped (self->name_row);
  g_autofree char *name = NULL;
  g_autofree char *host = _poste_entry_row_dup_stripped (self->host_row);
  g_autofree char *username = _poste_entry_row_dup_stripped (self->username_row);
  g_autofree char *target = _poste_target_rows_dup_target (self->delivery_kind_row, self->delivery_row);
  const char *hours = poste_schedule_group_get_active_hours (self->schedule_group);
  const char *days = poste_schedule_group_get_active_days (self->schedule_group);
  g_autoptr(GError) days_error = NULL;
  g_autofree char *pin_text = _poste_entry_row_dup_stripped (self->pinned_row);
  g_autofree char *pin = poste_fingerprint_normalize (pin_text);
  g_autofree char *ca_file = _poste_entry_row_dup_stripped (self->ca_file_row);
  g_autofree char *client_certificate = _poste_entry_row_dup_stripped (self->client_certificate_row);
  g_autofree char *password_file = _poste_entry_row_dup_stripped (self->password_file_row);
  g_autofree char *submission = _poste_entry_row_dup_stripped (self->submission_row);
  g_auto(GStrv) domains = split_list (_poste_entry_row_get_text (self->domains_row), "[,;\\s]+");
  g_autoptr(GStrvBuilder) routes_builder = g_strv_builder_new ();
  g_auto(GStrv) routes = NULL;
  PosteConfig *config = poste_application_get_config (self->application);
  guint64 port = 0;
  gboolean valid;

#define PROBLEM(row, ...) G_STMT_START {                                                  \
    g_autofree char *problem_ = g_strdup_printf (__VA_ARGS__);                            \
    mark_row_message (self, row, problem_);                                               \
    if (first == NULL)                                                                    \
      first = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, problem_);     \
  } G_STMT_END

  /* The name the user sees may be anything; the configuration's name is derived from it once,
   * and kept when the provider is renamed. */
  name = self->editing != NULL ? g_strdup (self->editing) : name_for_label (config, label);
  mark_row (self, self->name_row, TRUE);
  if (label[0] == '\0')
    PROBLEM (self->name_row, "%s", _("Give the provider a name."));
  else if (!poste_config_check_name (name, &name_error))
    PROBLEM (self->name_row, "%s", name_error->message);
  else if (check_name && label_taken (config, label, self->editing))
    PROBLEM (self->name_row, _("A provider called “%s” already exists."), label);

  valid = host[0] != '\0' && strpbrk (host, " \t/") == NULL;
  mark_row (self, self->host_row, valid || host[0] == '\0');
  if (!valid)
    {
      if (host[0] != '\0')
        PROBLEM (self->host_row, "%s", _("The server is a host name such as odmr.example.net."));
      else if (first == NULL)
        first = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                     _("Enter the provider’s server."));
    }

  mark_row (self, self->port_row, TRUE);
  if (!g_ascii_string_to_unsigned (_poste_entry_row_get_text (self->port_row), 10, 1, G_MAXUINT16, &port, NULL))
    PROBLEM (self->port_row, "%s", _("The port is a number from 1 to 65535."));

  mark_row (self, self->domains_row, TRUE);
  for (guint i = 0; domains[i] != NULL; i++)
    {
      g_autoptr(GError) domain_error = NULL;

      if (!poste_config_check_domain (domains[i], NULL, &domain_error))
        PROBLEM (self->domains_row, "%s", domain_error->message);
    }

  mark_row (self, self->delivery_row, TRUE);
  {
    g_autoptr(GError) target_error = NULL;

    /* Inside Flatpak a target the sandbox cannot reach (an MDA, a folder or a socket outside
     * the grants) is refused here with the reason, rather than at the first fetch. */
    if (!poste_config_check_target (target, &target_error) ||
        !poste_delivery_check_reachable (target, &target_error))
      PROBLEM (self->delivery_row, "%s", target_error->message);
  }

  /* Each route's problem is marked on its own field, once the user has touched the route. */
  for (guint i = 0; i < self->routes->len; i++)
    {
      PosteRouteRow *route = g_ptr_array_index (self->routes, i);
      AdwEntryRow *address_row = poste_route_row_get_address_row (route);
      AdwEntryRow *location_row = poste_route_row_get_location_row (route);
      const char *address = poste_route_row_get_address (route);
      const char *route_target = poste_route_row_get_target (route);
      gboolean touched = poste_route_row_get_touched (route);
      g_autoptr(GError) route_error = NULL;

      if (touched)
        {
          field_touched_cb (GTK_WIDGET (address_row));
          field_touched_cb (GTK_WIDGET (location_row));
        }
      mark_row (self, address_row, TRUE);
      mark_row (self, location_row, TRUE);
      if (address[0] == '\0' || strpbrk (address, "= \t") != NULL)
        {
          if (touched)
            mark_row (self, address_row, FALSE);
          if (first == NULL)
            first = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                         _("Each route needs an address or a domain."));
          continue;
        }
      if (!poste_config_check_target (route_target, &route_error) ||
          !poste_delivery_check_reachable (route_target, &route_error))
        {
          if (touched)
            mark_row (self, location_row, FALSE);
          if (first == NULL)
            first = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, route_error->message);
          continue;
        }
      {
        g_autofree char *spec = g_strconcat (address, "=", route_target, NULL);

        g_strv_builder_add (routes_builder, spec);
      }
    }
  routes = g_strv_builder_end (routes_builder);

  /* No day at all: the group says so beside the days, once the user has changed them. */
  if (!poste_schedule_group_check (self->schedule_group, &days_error) && first == NULL)
    first = g_steal_pointer (&days_error);

  mark_row (self, self->pinned_row, TRUE);
  if (pin_text[0] != '\0' && pin == NULL)
    PROBLEM (self->pinned_row, "%s",
             _("A pinned certificate is its SHA-256 fingerprint: 64 hexadecimal digits."));

  if (first != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&first));
      return NULL;
    }

#undef PROBLEM

  provider = poste_provider_new (name);
  poste_provider_set_label (provider, g_strcmp0 (label, name) != 0 ? label : NULL);
  poste_provider_set_host (provider, host);
  poste_provider_set_port (provider, (guint)port);
  poste_provider_set_security (provider, get_enum_row (self->security_row, POSTE_TYPE_SECURITY,
                                                      POSTE_SECURITY_STARTTLS));
  poste_provider_set_mode (provider, get_enum_row (self->mode_row, POSTE_TYPE_MODE,
                                                  POSTE_MODE_ATRN));
  poste_provider_set_username (provider, username);
  poste_provider_set_domains (provider, (const char * const *)domains);
  poste_provider_set_auth (provider, get_enum_row (self->auth_row, POSTE_TYPE_AUTH,
                                              POSTE_AUTH_AUTO));
  poste_provider_set_delivery (provider, target);
  poste_provider_set_routes (provider, (const char * const *)routes);
  poste_provider_set_interval (provider, poste_schedule_group_get_interval (self->schedule_group));
  poste_provider_set_active_hours (provider, hours);
  poste_provider_set_active_days (provider, days);
  poste_provider_set_ca_file (provider, ca_file[0] != '\0' ? ca_file : NULL);
  poste_provider_set_pinned_sha256 (provider, pin);
  poste_provider_set_client_certificate (provider, client_certificate[0] != '\0' ? client_certificate : NULL);
  poste_provider_set_password_file (provider, password_file[0] != '\0' ? password_file : NULL);
  poste_provider_set_submission (provider, submission[0] != '\0' ? submission : NULL);
  poste_provider_set_send_with_fetch (provider, gtk_switch_get_active (self->send_with_fetch_switch));

  if (!poste_config_validate_provider (provider, error))
    return NULL;

  return g_steal_pointer (&provider);
}

/* Checks the fields as they are now: the message under the form says the first problem, and
 * Add and Test Connection are enabled only for a valid provider. */
void
_poste_provider_dialog_update (PosteProviderDialog *self)
{
  g_autoptr(PosteProvider) provider = NULL;
  g_autoptr(GError) error = NULL;

  g_assert (POSTE_IS_PROVIDER_DIALOG (self));

  provider = _poste_provider_dialog_build (self, TRUE, &error);
  gtk_label_set_text (self->message_label, error != NULL ? error->message : "");
  gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "error");
  gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "dim-label");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "provider.add", provider != NULL && !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "provider.test", provider != NULL && !self->testing);
}

void
_poste_provider_dialog_delivery_kind_changed (PosteProviderDialog *self)
{
  DeliveryKind kind = _poste_target_rows_get_kind (self->delivery_kind_row);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->delivery_row),
                                 _poste_target_rows_get_location_title (kind));
  gtk_widget_set_visible (GTK_WIDGET (self->delivery_choose_button),
                          kind == DELIVERY_MAILDIR || kind == DELIVERY_MBOX);
  _poste_provider_dialog_update (self);
}

/* The command's name is the choice; what the chosen one means for the customer is said under
 * it. */
static void
describe_mode (PosteProviderDialog *self)
{
  PosteMode mode = get_enum_row (self->mode_row, POSTE_TYPE_MODE, POSTE_MODE_ATRN);

  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->mode_row), poste_mode_get_description (mode));
}

/* Once the template is built, before poste_accessible_fix() names what it holds. */
void
_poste_provider_dialog_init_fields (PosteProviderDialog *self)
{
  fill_enum_row (self->security_row, POSTE_TYPE_SECURITY, security_label);
  fill_enum_row (self->auth_row, POSTE_TYPE_AUTH, auth_label);
  fill_enum_row (self->mode_row, POSTE_TYPE_MODE, mode_label);
  describe_mode (self);
  self->routes = g_ptr_array_new ();
}

static void
mode_changed (PosteProviderDialog *self)
{
  describe_mode (self);
  _poste_provider_dialog_update (self);
}

/* Every change to a field checks the fields again. */
void
_poste_provider_dialog_watch_fields (PosteProviderDialog *self)
{
  gpointer entries[] = {
    self->name_row, self->host_row, self->port_row, self->username_row, self->domains_row,
    self->delivery_row,
    self->ca_file_row, self->pinned_row, self->client_certificate_row, self->password_file_row,
    self->submission_row,
  };

  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    {
      g_signal_connect (entries[i], "changed", G_CALLBACK (field_touched_cb), NULL);
      g_signal_connect_object (entries[i], "changed",
                               G_CALLBACK (_poste_provider_dialog_update), self, G_CONNECT_SWAPPED);
    }

  g_signal_connect_object (self->security_row, "notify::selected",
                           G_CALLBACK (_poste_provider_dialog_update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->auth_row, "notify::selected",
                           G_CALLBACK (_poste_provider_dialog_update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->mode_row, "notify::selected",
                           G_CALLBACK (mode_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->delivery_kind_row, "notify::selected",
                           G_CALLBACK (_poste_provider_dialog_delivery_kind_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->send_with_fetch_switch, "notify::active",
                           G_CALLBACK (_poste_provider_dialog_update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->schedule_group, "notify::interval",
                           G_CALLBACK (_poste_provider_dialog_update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->schedule_group, "notify::active-hours",
                           G_CALLBACK (_poste_provider_dialog_update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->schedule_group, "notify::active-days",
                           G_CALLBACK (_poste_provider_dialog_update), self, G_CONNECT_SWAPPED);
}

/* Fills every field from @provider, as the file has it: nothing is the user's doing yet. */
void
_poste_provider_dialog_fill (PosteProviderDialog *self,
                             PosteProvider       *provider)
{
  g_autofree char *domains = NULL;
  g_autofree char *port = NULL;

#define SET(row, value) gtk_editable_set_text (GTK_EDITABLE (self->row), (value) != NULL ? (value) : "")
  SET (name_row, poste_provider_get_display_name (provider));
  SET (host_row, poste_provider_get_host (provider));
  port = g_strdup_printf ("%u", poste_provider_get_port (provider));
  SET (port_row, port);
  set_enum_row (self->security_row, POSTE_TYPE_SECURITY, poste_provider_get_security (provider));
  set_enum_row (self->mode_row, POSTE_TYPE_MODE, poste_provider_get_mode (provider));
  SET (username_row, poste_provider_get_username (provider));
  domains = g_strjoinv (", ", (char **)poste_provider_get_domains (provider));
  SET (domains_row, domains);
  set_enum_row (self->auth_row, POSTE_TYPE_AUTH, poste_provider_get_auth (provider));
  _poste_target_rows_show (self->delivery_kind_row, self->delivery_row,
                           poste_provider_get_delivery (provider) != NULL
                             ? poste_provider_get_delivery (provider) : "maildir:~/Maildir");
  for (const char * const *route = poste_provider_get_routes (provider); route != NULL && *route != NULL; route++)
    routes_add (self, *route);
  poste_schedule_group_load (self->schedule_group, poste_provider_get_interval (provider),
                             poste_provider_get_active_hours (provider),
                             poste_provider_get_active_days (provider));
  SET (ca_file_row, poste_provider_get_ca_file (provider));
  SET (pinned_row, poste_provider_get_pinned_sha256 (provider));
  SET (client_certificate_row, poste_provider_get_client_certificate (provider));
  SET (password_file_row, poste_provider_get_password_file (provider));
  SET (submission_row, poste_provider_get_submission (provider));
  gtk_switch_set_active (self->send_with_fetch_switch, poste_provider_get_send_with_fetch (provider));
#undef SET
  /* Filled from the file, not typed: nothing is the user's doing yet. */
  forget_touched (GTK_WIDGET (self));
}
