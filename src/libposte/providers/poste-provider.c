/* poste-provider.c: one provider account, as configured
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Longer than the rooms around it for a plain reason: one documented getter and setter per
 * setting (twenty of them), each a few lines and all of one kind. The enumerations the
 * settings use (security, mode, auth) are in poste-provider-enums.c.
 */
#include "config.h"

#include "poste-provider.h"

struct _PosteProvider
{
  GObject        parent_instance;

  char          *name;
  char          *host;
  guint          port;
  PosteSecurity  security;
  char          *username;
  char         **domains;
  PosteMode      mode;
  PosteAuth      auth;
  char          *delivery;
  char         **routes;
  guint          interval;
  char          *ca_file;
  char          *pinned_sha256;
  char          *client_certificate;
  char          *password_file;
  char          *submission;
  gboolean       send_with_fetch;
  char          *active_hours;
  char          *active_days;
  char          *label;
};

G_DEFINE_FINAL_TYPE (PosteProvider, poste_provider, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_HOST,
  PROP_PORT,
  PROP_SECURITY,
  PROP_USERNAME,
  PROP_DOMAINS,
  PROP_MODE,
  PROP_AUTH,
  PROP_DELIVERY,
  PROP_ROUTES,
  PROP_INTERVAL,
  PROP_CA_FILE,
  PROP_PINNED_SHA256,
  PROP_CLIENT_CERTIFICATE,
  PROP_PASSWORD_FILE,
  PROP_SUBMISSION,
  PROP_SEND_WITH_FETCH,
  PROP_ACTIVE_HOURS,
  PROP_ACTIVE_DAYS,
  PROP_LABEL,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];
/* g_set_str() is GLib 2.76, newer than our floor. */
static gboolean
set_str (char       **field,
         const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static gboolean
strv_equal0 (char       **a,
             const char * const *b)
{
  if (a == NULL || b == NULL)
    return (a == NULL || a[0] == NULL) && (b == NULL || b[0] == NULL);
  return g_strv_equal ((const char * const *) a, b);
}

static void
poste_provider_finalize (GObject *object)
{
  PosteProvider *self = (PosteProvider *)object;

  g_free (self->name);
  g_free (self->host);
  g_free (self->username);
  g_strfreev (self->domains);
  g_free (self->delivery);
  g_strfreev (self->routes);
  g_free (self->ca_file);
  g_free (self->pinned_sha256);
  g_free (self->client_certificate);
  g_free (self->password_file);
  g_free (self->submission);
  g_free (self->label);
  g_free (self->active_hours);
  g_free (self->active_days);

  G_OBJECT_CLASS (poste_provider_parent_class)->finalize (object);
}

static void
poste_provider_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  PosteProvider *self = POSTE_PROVIDER (object);

  switch (prop_id)
    {
    case PROP_NAME: g_value_set_string (value, self->name); break;
    case PROP_HOST: g_value_set_string (value, self->host); break;
    case PROP_PORT: g_value_set_uint (value, self->port); break;
    case PROP_SECURITY: g_value_set_enum (value, self->security); break;
    case PROP_USERNAME: g_value_set_string (value, self->username); break;
    case PROP_DOMAINS: g_value_set_boxed (value, self->domains); break;
    case PROP_MODE: g_value_set_enum (value, self->mode); break;
    case PROP_AUTH: g_value_set_enum (value, self->auth); break;
    case PROP_DELIVERY: g_value_set_string (value, self->delivery); break;
    case PROP_ROUTES: g_value_set_boxed (value, self->routes); break;
    case PROP_INTERVAL: g_value_set_uint (value, self->interval); break;
    case PROP_CA_FILE: g_value_set_string (value, self->ca_file); break;
    case PROP_PINNED_SHA256: g_value_set_string (value, self->pinned_sha256); break;
    case PROP_CLIENT_CERTIFICATE: g_value_set_string (value, self->client_certificate); break;
    case PROP_PASSWORD_FILE: g_value_set_string (value, self->password_file); break;
    case PROP_SUBMISSION: g_value_set_string (value, self->submission); break;
    case PROP_SEND_WITH_FETCH: g_value_set_boolean (value, self->send_with_fetch); break;
    case PROP_ACTIVE_HOURS: g_value_set_string (value, self->active_hours); break;
    case PROP_ACTIVE_DAYS: g_value_set_string (value, self->active_days); break;
    case PROP_LABEL: g_value_set_string (value, self->label); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
poste_provider_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  PosteProvider *self = POSTE_PROVIDER (object);

  switch (prop_id)
    {
    case PROP_NAME: poste_provider_set_name (self, g_value_get_string (value)); break;
    case PROP_HOST: poste_provider_set_host (self, g_value_get_string (value)); break;
    case PROP_PORT: poste_provider_set_port (self, g_value_get_uint (value)); break;
    case PROP_SECURITY: poste_provider_set_security (self, g_value_get_enum (value)); break;
    case PROP_USERNAME: poste_provider_set_username (self, g_value_get_string (value)); break;
    case PROP_DOMAINS: poste_provider_set_domains (self, g_value_get_boxed (value)); break;
    case PROP_MODE: poste_provider_set_mode (self, g_value_get_enum (value)); break;
    case PROP_AUTH: poste_provider_set_auth (self, g_value_get_enum (value)); break;
    case PROP_DELIVERY: poste_provider_set_delivery (self, g_value_get_string (value)); break;
    case PROP_ROUTES: poste_provider_set_routes (self, g_value_get_boxed (value)); break;
    case PROP_INTERVAL: poste_provider_set_interval (self, g_value_get_uint (value)); break;
    case PROP_CA_FILE: poste_provider_set_ca_file (self, g_value_get_string (value)); break;
    case PROP_PINNED_SHA256: poste_provider_set_pinned_sha256 (self, g_value_get_string (value)); break;
    case PROP_CLIENT_CERTIFICATE: poste_provider_set_client_certificate (self, g_value_get_string (value)); break;
    case PROP_PASSWORD_FILE: poste_provider_set_password_file (self, g_value_get_string (value)); break;
    case PROP_SUBMISSION: poste_provider_set_submission (self, g_value_get_string (value)); break;
    case PROP_SEND_WITH_FETCH: poste_provider_set_send_with_fetch (self, g_value_get_boolean (value)); break;
    case PROP_ACTIVE_HOURS: poste_provider_set_active_hours (self, g_value_get_string (value)); break;
    case PROP_ACTIVE_DAYS: poste_provider_set_active_days (self, g_value_get_string (value)); break;
    case PROP_LABEL: poste_provider_set_label (self, g_value_get_string (value)); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

#define STR_PROP(id, pname, blurb) \
  properties[id] = g_param_spec_string (pname, NULL, blurb, NULL, \
                                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS)
#define UINT_PROP(id, pname, blurb, lo, hi, def) \
  properties[id] = g_param_spec_uint (pname, NULL, blurb, lo, hi, def, \
                                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS)
#define ENUM_PROP(id, pname, blurb, type, def) \
  properties[id] = g_param_spec_enum (pname, NULL, blurb, type, def, \
                                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS)
#define STRV_PROP(id, pname, blurb) \
  properties[id] = g_param_spec_boxed (pname, NULL, blurb, G_TYPE_STRV, \
                                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS)

static void
poste_provider_class_init (PosteProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = poste_provider_finalize;
  object_class->get_property = poste_provider_get_property;
  object_class->set_property = poste_provider_set_property;

  STR_PROP (PROP_NAME, "name", "The provider's name");
  STR_PROP (PROP_HOST, "host", "The provider's host name");
  UINT_PROP (PROP_PORT, "port", "The TCP port", 1, 65535, POSTE_ODMR_PORT);
  ENUM_PROP (PROP_SECURITY, "security", "How the connection is protected", POSTE_TYPE_SECURITY,
             POSTE_SECURITY_STARTTLS);
  STR_PROP (PROP_USERNAME, "username", "The SASL authentication identity");
  STRV_PROP (PROP_DOMAINS, "domains", "The domains to ask ATRN for");
  ENUM_PROP (PROP_MODE, "mode", "How mail is asked for", POSTE_TYPE_MODE, POSTE_MODE_ATRN);
  ENUM_PROP (PROP_AUTH, "auth", "The SASL mechanism", POSTE_TYPE_AUTH, POSTE_AUTH_AUTO);
  STR_PROP (PROP_DELIVERY, "delivery", "The default delivery target");
  STRV_PROP (PROP_ROUTES, "routes", "Per-recipient targets, each \"RECIPIENT=TARGET\"");
  UINT_PROP (PROP_INTERVAL, "interval", "Minutes between fetches, 0 for on demand only", 0, 7 * 24 * 60, 15);
  STR_PROP (PROP_CA_FILE, "ca-file", "A PEM bundle to trust");
  STR_PROP (PROP_PINNED_SHA256, "pinned-sha256", "A pinned certificate fingerprint");
  STR_PROP (PROP_CLIENT_CERTIFICATE, "client-certificate", "A PEM client certificate and key");
  STR_PROP (PROP_PASSWORD_FILE, "password-file", "A file holding the password");
  STR_PROP (PROP_SUBMISSION, "submission", "The submission server, host:port");
  properties[PROP_SEND_WITH_FETCH] =
    g_param_spec_boolean ("send-with-fetch", NULL, "Submit the outbox at each fetch", TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  STR_PROP (PROP_ACTIVE_HOURS, "active-hours", "When scheduled fetches may run, \"HH:MM-HH:MM\"");
  STR_PROP (PROP_ACTIVE_DAYS, "active-days", "On which days scheduled fetches may run, \"mon;tue;...\"");
  STR_PROP (PROP_LABEL, "label", "The name shown to the user, when it is not the group's name");

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
poste_provider_init (PosteProvider *self)
{
  self->port = POSTE_ODMR_PORT;
  self->security = POSTE_SECURITY_STARTTLS;
  self->auth = POSTE_AUTH_AUTO;
  self->interval = 15;
  self->send_with_fetch = TRUE;
  self->domains = g_new0 (char *, 1);
  self->routes = g_new0 (char *, 1);
}

/**
 * poste_provider_new:
 * @name: the provider's name
 *
 * Makes a provider with the defaults: port 366, STARTTLS, automatic SASL mechanism, a fetch every
 * 15 minutes, no domains (ATRN for all of the customer's domains) and no delivery target.
 *
 * Returns: (transfer full): a new #PosteProvider
 */
PosteProvider *
poste_provider_new (const char *name)
{
  return g_object_new (POSTE_TYPE_PROVIDER, "name", name, NULL);
}

/**
 * poste_provider_copy:
 * @self: a #PosteProvider
 *
 * Returns: (transfer full): a new provider with the same settings (an editor works on a copy)
 */
PosteProvider *
poste_provider_copy (PosteProvider *self)
{
  PosteProvider *copy;

  g_return_val_if_fail (POSTE_IS_PROVIDER (self), NULL);

  copy = poste_provider_new (self->name);
  for (guint i = PROP_NAME + 1; i < N_PROPS; i++)
    {
      g_auto(GValue) value = G_VALUE_INIT;
      g_value_init (&value, properties[i]->value_type);
      g_object_get_property (G_OBJECT (self), properties[i]->name, &value);
      g_object_set_property (G_OBJECT (copy), properties[i]->name, &value);
    }
  return copy;
}

/**
 * poste_provider_get_name:
 * @self: a #PosteProvider
 *
 * Returns: (transfer none) (nullable): the provider's name, the keyfile group is "provider NAME"
 */
const char *
poste_provider_get_name (PosteProvider *self)
{
  g_return_val_if_fail (POSTE_IS_PROVIDER (self), NULL);
  return self->name;
}

/**
 * poste_provider_set_name:
 * @self: a #PosteProvider
 * @value: (nullable): the provider's name, the keyfile group is "provider NAME"; "" is stored as %NULL
 */
void
poste_provider_set_name (PosteProvider *self,
                        const char    *value)
{
  g_return_if_fail (POSTE_IS_PROVIDER (self));
  if (value != NULL && value[0] == '\0')
    value = NULL;
  if (set_str (&self->name, value))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

/**
 * poste_provider_get_host:
 * @self: a #PosteProvider
 *
 * Returns: (transfer none) (nullable): the provider's host name
 */
const char *
poste_provider_get_host (PosteProvider *self)
{
  g_return_val_if_fail (POSTE_IS_PROVIDER (self), NULL);
  return self->host;
}

/**
 * poste_provider_set_host:
 * @self: a #PosteProvider
 * @value: (nullable): the provider's host name; "" is stored as %NULL
 */
void
poste_provider_set_host (PosteProvider *self,
                        const char    *value)
{
  g_return_if_fail (POSTE_IS_PROVIDER (self));
  if (value != NULL && value[0] == '\0')
    value = NULL;
  if (set_str (&self->host, value))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOST]);
}

/**
 * poste_provider_get_username:
 * @self: a #PosteProvider
 *
 * Returns: (transfer none) (nullable): the SASL authentication identity
 */
const char *
poste_provider_get_username (PosteProvider *self)
{
  g_return_val_if_fail (POSTE_IS_PROVIDER (self), NULL);
  return self->username;
}

/**
 * poste_provider_set_username:
 * @self: a #PosteProvider
 * @value: (nullable): the SASL authentication identity; "" is stored as %NULL
 */
void
poste_provider_set_username (PosteProvider *self,
                            const char    *value)
{
  g_return_if_fail (POSTE_IS_PROVIDER (self));
  if (value != NULL && value[0] == '\0')
    value = NULL;
  if (set_str (&self->username, value))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USERNAME]);
}

/**
 * poste_provider_get_delivery:
 * @self: a #PosteProvider
 *
 * Returns: (transfer none) (nullable): the default delivery target, such as "maildir:~/Maildir"
 */
const char *
poste_provider_get_delivery (PosteProvider *self)
{
  g_return_val_if_fail (POSTE_IS_PROVIDER (self), NULL);
  return self->delivery;
}

/**
 * poste_provider_set_delivery:
 * @self: a #PosteProvider
 * @value: (nullable): the default delivery target, such as "maildir:~/Maildir"; "" is stored as %NULL
 */
void
poste_provider_set_delivery (PosteProvider *self,
                            const char    *value)
{
  g_return_if_fail (POSTE_IS_PROVIDER (self));
  if (value != NULL && value[0] == '\0')
    value = NULL;
  if (set_str (&self->delivery, value))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DELIVERY]);
}

/**
 * poste_provider_get_ca_file:
 * @self: a #PosteProvider
 *
 * Returns: (transfer none) (nullable): a PEM bundle of CA certificates to trust for this provider, or NULL for the system's
 */
const char *
poste_provider_get_ca_file (PosteProvider *self)
{
  g_return_val_if_fail (POSTE_IS_PROVIDER (self), NULL);
  return self->ca_file;
}

/**
 * poste_provider_set_ca_file:
 * @self: a #PosteProvider
 * @value: (nullable): a PEM bundle of CA certificates to trust for this provider, or NULL for the system's; "" is stored as %NULL
 */
void
poste_provider_set_ca_file (PosteProvider *self,
                           const char    *value)
{
  g_return_if_fail (POSTE_IS_PROVIDER (self));
  if (value != NULL && value[0] == '\0')
    value = NULL;
  if (set_str (&self->ca_file, value))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CA_FILE]);
}

/**
 * poste_provider_get_pinned_sha256:
 * @self: a #PosteProvider
 *
 * Returns: (transfer none) (nullable): the SHA-256 fingerprint of the certificate to accept, in hex, or NULL
 */
const char *
poste_provider_get_pinned_sha256 (PosteProvider *self)
{
  g_return_val_if_fail (POSTE_IS_PROVIDER (self), NULL);
  return self->pinned_sha256;
}

/**
 * poste_provider_set_pinned_sha256:
 * @self: a #PosteProvider
 * @value: (nullable): the SHA-256 fingerprint of the certificate to accept, in hex, or NULL; "" is stored as %NULL
 */
void
poste_provider_set_pinned_sha256 (PosteProvider *self,
                                 const char    *value)
{
  g_return_if_fail (POSTE_IS_PROVIDER (self));
  if (value != NULL && value[0] == '\0')
    value = NULL;
  if (set_str (&self->pinned_sha256, value))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PINNED_SHA256]);
}

/**
 * poste_provider_get_client_certificate:
 * @self: a #PosteProvider
 *
 * Returns: (transfer none) (nullable): a PEM file with a client certificate and its key, for SASL EXTERNAL, or NULL
 */
const char *
poste_provider_get_client_certificate (PosteProvider *self)
{
  g_return_val_if_fail (POSTE_IS_PROVIDER (self), NULL);
  return self->client_certificate;
}

/**
 * poste_provider_set_client_certificate:
 * @self: a #PosteProvider
 * @value: (nullable): a PEM file with a client certificate and its key, for SASL EXTERNAL, or NULL; "" is stored as %NULL
 */
void
poste_provider_set_client_certificate (PosteProvider *self,
                                      const char    *value)
{
  g_return_if_fail (POSTE_IS_PROVIDER (self));
  if (value != NULL && value[0] == '\0')
    value = NULL;
  if (set_str (&self->client_certificate, value))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENT_CERTIFICATE]);
}

/**
 * poste_provider_get_password_file:
 * @self: a #PosteProvider
 *
 * Returns: (transfer none) (nullable): a file holding the password for machines without a keyring, or NULL
 */
const char *
poste_provider_get_password_file (PosteProvider *self)
{
  g_return_val_if_fail (POSTE_IS_PROVIDER (self), NULL);
  return self->password_file;
}

/**
 * poste_provider_set_password_file:
 * @self: a #PosteProvider
 * @value: (nullable): a file holding the password for machines without a keyring, or NULL; "" is stored as %NULL
 */
void
poste_provider_set_password_file (PosteProvider *self,
                                 const char    *value)
{
  g_return_if_fail (POSTE_IS_PROVIDER (self));
  if (value != NULL && value[0] == '\0')
    value = NULL;
  if (set_str (&self->password_file, value))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PASSWORD_FILE]);
}

/**
 * poste_provider_get_submission:
 * @self: a #PosteProvider
 *
 * Returns: (transfer none) (nullable): the provider's submission server as host:port (RFC 6409), or NULL
 */
const char *
poste_provider_get_submission (PosteProvider *self)
{
  g_return_val_if_fail (POSTE_IS_PROVIDER (self), NULL);
  return self->submission;
}

/**
 * poste_provider_set_submission:
 * @self: a #PosteProvider
 * @value: (nullable): the provider's submission server as host:port (RFC 6409), or NULL; "" is stored as %NULL
 */
void
poste_provider_set_submission (PosteProvider *self,
                              const char    *value)
{
  g_return_if_fail (POSTE_IS_PROVIDER (self));
  if (value != NULL && value[0] == '\0')
    value = NULL;
  if (set_str (&self->submission, value))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUBMISSION]);
}

/**
 * poste_provider_get_port:
 * @self: a #PosteProvider
 *
 * Returns: the TCP port (366 for ODMR, RFC 2645 section 4)
 */
guint
poste_provider_get_port (PosteProvider *self)
{
  g_return_val_if_fail (POSTE_IS_PROVIDER (self), 0);
  return self->port;
}

/**
 * poste_provider_set_port:
 * @self: a #PosteProvider
 * @value: the TCP port (366 for ODMR, RFC 2645 section 4)
 */
void
poste_provider_set_port (PosteProvider *self,
                        guint value)
{
  g_return_if_fail (POSTE_IS_PROVIDER (self));
  if (self->port == value)
    return;
  self->port = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
}

/**
 * poste_provider_get_mode:
 * @self: a #PosteProvider
 *
 * Returns: how mail is asked for: ATRN (RFC 2645, the default) or ETRN (RFC 1985)
 */
PosteMode
poste_provider_get_mode (PosteProvider *self)
{
  g_return_val_if_fail (POSTE_IS_PROVIDER (self), POSTE_MODE_ATRN);
  return self->mode;
}

/**
 * poste_provider_set_mode:
 * @self: a #PosteProvider
 * @value: a #PosteMode
 */
void
poste_provider_set_mode (PosteProvider *self,
                         PosteMode      value)
{
  g_return_if_fail (POSTE_IS_PROVIDER (self));
  g_return_if_fail (value <= POSTE_MODE_ETRN);
  if (self->mode == value)
    return;
  self->mode = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
}

/**
 * poste_provider_get_security:
 * @self: a #PosteProvider
 *
 * Returns: how the connection is protected
 */
PosteSecurity
poste_provider_get_security (PosteProvider *self)
{
  g_return_val_if_fail (POSTE_IS_PROVIDER (self), 0);
  return self->security;
}

/**
 * poste_provider_set_security:
 * @self: a #PosteProvider
 * @value: how the connection is protected
 */
void
poste_provider_set_security (PosteProvider *self,
                            PosteSecurity value)
{
  g_return_if_fail (POSTE_IS_PROVIDER (self));
  if (self->security == value)
    return;
  self->security = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SECURITY]);
}

/**
 * poste_provider_get_auth:
 * @self: a #PosteProvider
 *
 * Returns: the SASL mechanism policy
 */
PosteAuth
poste_provider_get_auth (PosteProvider *self)
{
  g_return_val_if_fail (POSTE_IS_PROVIDER (self), 0);
  return self->auth;
}

/**
 * poste_provider_set_auth:
 * @self: a #PosteProvider
 * @value: the SASL mechanism policy
 */
void
poste_provider_set_auth (PosteProvider *self,
                        PosteAuth value)
{
  g_return_if_fail (POSTE_IS_PROVIDER (self));
  if (self->auth == value)
    return;
  self->auth = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTH]);
}

/**
 * poste_provider_get_interval:
 * @self: a #PosteProvider
 *
 * Returns: minutes between automatic fetches, 0 for on demand only
 */
guint
poste_provider_get_interval (PosteProvider *self)
{
  g_return_val_if_fail (POSTE_IS_PROVIDER (self), 0);
  return self->interval;
}

/**
 * poste_provider_set_interval:
 * @self: a #PosteProvider
 * @value: minutes between automatic fetches, 0 for on demand only
 */
void
poste_provider_set_interval (PosteProvider *self,
                            guint value)
{
  g_return_if_fail (POSTE_IS_PROVIDER (self));
  if (self->interval == value)
    return;
  self->interval = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERVAL]);
}

/**
 * poste_provider_get_send_with_fetch:
 * @self: a #PosteProvider
 *
 * Returns: whether the outbox is submitted at each fetch
 */
gboolean
poste_provider_get_send_with_fetch (PosteProvider *self)
{
  g_return_val_if_fail (POSTE_IS_PROVIDER (self), 0);
  return self->send_with_fetch;
}

/**
 * poste_provider_set_send_with_fetch:
 * @self: a #PosteProvider
 * @value: whether the outbox is submitted at each fetch
 */
void
poste_provider_set_send_with_fetch (PosteProvider *self,
                                   gboolean value)
{
  g_return_if_fail (POSTE_IS_PROVIDER (self));
  if (self->send_with_fetch == value)
    return;
  self->send_with_fetch = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEND_WITH_FETCH]);
}

/**
 * poste_provider_get_domains:
 * @self: a #PosteProvider
 *
 * Returns: (transfer none) (array zero-terminated=1): the domains to ask ATRN for (U-labels or A-labels), empty for all of the customer's
 */
const char * const *
poste_provider_get_domains (PosteProvider *self)
{
  g_return_val_if_fail (POSTE_IS_PROVIDER (self), NULL);
  return (const char * const *) self->domains;
}

/**
 * poste_provider_set_domains:
 * @self: a #PosteProvider
 * @value: (nullable) (array zero-terminated=1): the domains to ask ATRN for (U-labels or A-labels), empty for all of the customer's
 */
void
poste_provider_set_domains (PosteProvider      *self,
                           const char * const *value)
{
  g_return_if_fail (POSTE_IS_PROVIDER (self));
  if (strv_equal0 (self->domains, value))
    return;
  {
    /* Copy first: @value may be (part of) the old array. */
    char **copy = value != NULL ? g_strdupv ((char **) value) : g_new0 (char *, 1);

    g_strfreev (self->domains);
    self->domains = copy;
  }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DOMAINS]);
}

/**
 * poste_provider_get_routes:
 * @self: a #PosteProvider
 *
 * Returns: (transfer none) (array zero-terminated=1): per-recipient delivery targets, each "RECIPIENT=TARGET" where RECIPIENT is an address or "@domain"
 */
const char * const *
poste_provider_get_routes (PosteProvider *self)
{
  g_return_val_if_fail (POSTE_IS_PROVIDER (self), NULL);
  return (const char * const *) self->routes;
}

/**
 * poste_provider_set_routes:
 * @self: a #PosteProvider
 * @value: (nullable) (array zero-terminated=1): per-recipient delivery targets, each "RECIPIENT=TARGET" where RECIPIENT is an address or "@domain"
 */
void
poste_provider_set_routes (PosteProvider      *self,
                          const char * const *value)
{
  g_return_if_fail (POSTE_IS_PROVIDER (self));
  if (strv_equal0 (self->routes, value))
    return;
  {
    /* Copy first: @value may be (part of) the old array. */
    char **copy = value != NULL ? g_strdupv ((char **) value) : g_new0 (char *, 1);

    g_strfreev (self->routes);
    self->routes = copy;
  }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROUTES]);
}

/**
 * poste_provider_get_active_hours:
 * @self: a #PosteProvider
 *
 * Returns: (transfer none) (nullable): the keyfile text of the hours in which scheduled fetches
 *   may run, "HH:MM-HH:MM" in local time (a window that wraps past midnight is allowed), or %NULL
 *   for all day; poste_schedule_parse() reads and validates it
 */
const char *
poste_provider_get_active_hours (PosteProvider *self)
{
  g_return_val_if_fail (POSTE_IS_PROVIDER (self), NULL);
  return self->active_hours;
}

/**
 * poste_provider_set_active_hours:
 * @self: a #PosteProvider
 * @value: (nullable): "HH:MM-HH:MM" in local time, or %NULL for all day; "" is stored as %NULL
 */
void
poste_provider_set_active_hours (PosteProvider *self,
                                 const char    *value)
{
  g_return_if_fail (POSTE_IS_PROVIDER (self));
  if (value != NULL && value[0] == '\0')
    value = NULL;
  if (set_str (&self->active_hours, value))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE_HOURS]);
}

/**
 * poste_provider_get_active_days:
 * @self: a #PosteProvider
 *
 * Returns: (transfer none) (nullable): the keyfile text of the days on which scheduled fetches
 *   may run, such as "mon;tue;wed;thu;fri", or %NULL for every day; poste_schedule_parse() reads
 *   and validates it
 */
const char *
poste_provider_get_active_days (PosteProvider *self)
{
  g_return_val_if_fail (POSTE_IS_PROVIDER (self), NULL);
  return self->active_days;
}

/**
 * poste_provider_set_active_days:
 * @self: a #PosteProvider
 * @value: (nullable): day names separated by ';', or %NULL for every day; "" is stored as %NULL
 */
void
poste_provider_set_active_days (PosteProvider *self,
                                const char    *value)
{
  g_return_if_fail (POSTE_IS_PROVIDER (self));
  if (value != NULL && value[0] == '\0')
    value = NULL;
  if (set_str (&self->active_days, value))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE_DAYS]);
}

/**
 * poste_provider_equal:
 * @a: a provider
 * @b: another
 *
 * Compares every setting (every readable property: the configuration's keys), lists of domains
 * and routes item by item.
 *
 * Returns: %TRUE when @a and @b have the same settings
 */
gboolean
poste_provider_equal (PosteProvider *a,
                      PosteProvider *b)
{
  g_autofree GParamSpec **specs = NULL;
  guint n_specs;

  g_return_val_if_fail (POSTE_IS_PROVIDER (a), FALSE);
  g_return_val_if_fail (POSTE_IS_PROVIDER (b), FALSE);

  specs = g_object_class_list_properties (G_OBJECT_GET_CLASS (a), &n_specs);
  for (guint i = 0; i < n_specs; i++)
    {
      g_auto(GValue) value_a = G_VALUE_INIT;
      g_auto(GValue) value_b = G_VALUE_INIT;
      gboolean same;

      if (!(specs[i]->flags & G_PARAM_READABLE))
        continue;
      g_value_init (&value_a, specs[i]->value_type);
      g_value_init (&value_b, specs[i]->value_type);
      g_object_get_property (G_OBJECT (a), specs[i]->name, &value_a);
      g_object_get_property (G_OBJECT (b), specs[i]->name, &value_b);
      /* Boxed values compare by pointer: compare the lists item by item. */
      if (specs[i]->value_type == G_TYPE_STRV)
        same = g_strv_equal (g_value_get_boxed (&value_a) != NULL
                               ? g_value_get_boxed (&value_a) : (const char *[]) { NULL },
                             g_value_get_boxed (&value_b) != NULL
                               ? g_value_get_boxed (&value_b) : (const char *[]) { NULL });
      else
        same = g_param_values_cmp (specs[i], &value_a, &value_b) == 0;
      if (!same)
        return FALSE;
    }
  return TRUE;
}
/**
 * poste_provider_get_label:
 * @self: a #PosteProvider
 *
 * Gets the name the user gave the provider, when it is not its configuration name: it may hold
 * spaces and any script ("Mon fournisseur"), where the name (the keyfile group
 * `[provider NAME]`, the keyring item and the history's key) stays short and stable.
 *
 * Returns: (transfer none) (nullable): the `label` key, or %NULL when the name is shown as is
 */
const char *
poste_provider_get_label (PosteProvider *self)
{
  g_return_val_if_fail (POSTE_IS_PROVIDER (self), NULL);
  return self->label;
}

/**
 * poste_provider_set_label:
 * @self: a #PosteProvider
 * @label: (nullable): the name shown to the user, or %NULL; "" is stored as %NULL
 */
void
poste_provider_set_label (PosteProvider *self,
                          const char    *label)
{
  g_return_if_fail (POSTE_IS_PROVIDER (self));
  if (label != NULL && label[0] == '\0')
    label = NULL;
  if (set_str (&self->label, label))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LABEL]);
}

/**
 * poste_provider_get_display_name:
 * @self: a #PosteProvider
 *
 * Returns: (transfer none): what to call the provider in front of the user: its label, or else
 *   its name
 */
const char *
poste_provider_get_display_name (PosteProvider *self)
{
  g_return_val_if_fail (POSTE_IS_PROVIDER (self), NULL);
  return self->label != NULL ? self->label : self->name;
}
