/* poste-config-private.h: what the configuration's rooms share (the keyfile, its checks, the
 * table of provider keys)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "poste-config.h"
#include "poste-provider.h"

G_BEGIN_DECLS

/* The longest provider name: it names a keyfile group, a keyring item and a history record. */
#define MAX_NAME_LENGTH 64
/* RFC 1035 section 2.3.4. */
#define MAX_DOMAIN_LENGTH 253
#define MAX_LABEL_LENGTH 63
/* The longest interval: one week, in minutes (PosteProvider's own bound). */
#define MAX_INTERVAL (7 * 24 * 60)
/* A SASL authentication identity longer than this is a mistake (RFC 4616 allows 255 octets). */
#define MAX_USERNAME_LENGTH 255

#define ROUTE_PREFIX "route."

typedef struct _ProviderKey ProviderKey;

/* The keys of a provider group: one table drives the load (each key's parse), the save (its
 * format), the validation of a provider built elsewhere (format, then parse again) and the
 * list of known keys; the fetchmailrc import and the editor build providers that this
 * validation checks. A parse gets the value as the file holds it (inline comment removed) and
 * sets the property; a format gives the file's text, or NULL to leave the key out. */
struct _ProviderKey
{
  const char  *name;
  gboolean   (*parse)     (const ProviderKey  *key,
                           PosteProvider      *provider,
                           const char         *value,
                           GError            **error);
  char      *(*format)    (const ProviderKey  *key,
                           PosteProvider      *provider);
  GType      (*enum_type) (void);
  const char  *left_out;      /* a new group leaves the key out when it has this value */
  const char  *default_text;  /* a group that does not name the key means this value */
  gboolean     required;
};

extern const ProviderKey _poste_config_provider_keys[];
extern const guint       _poste_config_n_provider_keys;

/* poste-config-checks.c */
gboolean           _poste_config_has_control             (const char          *text);
gboolean           _poste_config_parse_uint              (const char          *text,
                                                          guint                min,
                                                          guint                max,
                                                          guint               *value);
gboolean           _poste_config_check_atrn_domain       (const char          *domain,
                                                          GError             **error);
gboolean           _poste_config_is_loopback_address     (const char          *text);
gboolean           _poste_config_check_host              (const char          *host,
                                                          GError             **error);
gboolean           _poste_config_check_route_recipient   (const char          *recipient,
                                                          GError             **error);

/* poste-config-keys.c */
const ProviderKey *_poste_config_lookup_provider_key     (const char          *name);
gboolean           _poste_config_apply_provider_key      (PosteProvider       *provider,
                                                          const char          *name,
                                                          const char          *value,
                                                          GError             **error);
gboolean           _poste_config_apply_route             (PosteProvider       *provider,
                                                          const char          *recipient,
                                                          const char          *target,
                                                          GError             **error);
char              *_poste_config_provider_key_text       (PosteProvider       *provider,
                                                          const ProviderKey   *key,
                                                          gboolean             new_group);
const char        *_poste_config_relaying_target_without_domains (PosteProvider *provider);
void               _poste_config_set_relay_error         (GError             **error,
                                                          const char          *target);

G_END_DECLS
