/* poste-config-private.h: what the configuration's rooms share (the keyfile, its checks, the
 * table of provider keys, the scan of its text)
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

/* How a key's value is written: each type has one parse and one format in
 * poste-config-keys.c. */
typedef enum
{
  PROVIDER_KEY_TEXT,     /* a string property; empty unsets it, or is an error */
  PROVIDER_KEY_UINT,     /* a guint property within [min, max] */
  PROVIDER_KEY_BOOLEAN,  /* a gboolean property, "true" or "false" */
  PROVIDER_KEY_ENUM,     /* an enum property, by its GEnum nick */
  PROVIDER_KEY_LIST,     /* a GStrv property, items separated by ';' */
} ProviderKeyType;

/* The keys of a provider group: one table of typed keys drives the load (each key's parse),
 * the save (its format), the validation of a provider built elsewhere (format, then parse
 * again) and the list of known keys; the fetchmailrc import and the editor build providers
 * that this validation checks. A parse gets the value as the file holds it (inline comment
 * removed) and sets the property; a format gives the file's text, or NULL to leave the key
 * out. */
struct _ProviderKey
{
  const char      *name;          /* the key in the file */
  ProviderKeyType  type;
  const char      *property;      /* the PosteProvider property it maps to */

  /* TEXT: whether an empty value unsets the property (otherwise it is "empty value"), and
   * the check of a non-empty value: it returns what the property stores (the value, or its
   * normal form), or NULL with @error. No check: any text is stored as is. */
  gboolean         empty_unsets;
  char          *(*check)         (const ProviderKey  *key,
                                   const char         *value,
                                   GError            **error);
  /* UINT: the bounds, and the message when the value is outside them; a translatable format
   * that takes the value (%s) and may name the upper bound (%d). */
  guint            min;
  guint            max;
  const char      *invalid;
  /* ENUM: the property's enum type. */
  GType          (*enum_type)     (void);
  /* LIST: the check of one item (an empty item is skipped; a repeated one, ignoring case, is
   * an error). */
  gboolean       (*check_item)    (const char         *item,
                                   GError            **error);

  const char      *left_out;      /* a new group leaves the key out when it has this value */
  const char      *default_text;  /* a group that does not name the key means this value */
  gboolean         required;
};

/* What a load collects: the text's index and the errors found so far. */
typedef struct {
  const char *path;
  GHashTable *group_lines;  /* group name -> line */
  GHashTable *key_lines;    /* "group\nkey" -> line */
  GString    *messages;
  int         first_code;
} Scan;

extern const ProviderKey _poste_config_provider_keys[];
extern const guint       _poste_config_n_provider_keys;

/* poste-config.c */
GKeyFile          *_poste_config_get_keyfile             (PosteConfig         *self);
void               _poste_config_set_path                (PosteConfig         *self,
                                                          const char          *path);

/* poste-config-scan.c */
void               _poste_config_scan_clear              (Scan                *scan);
void               _poste_config_scan_error              (Scan                *scan,
                                                          int                  code,
                                                          guint                line,
                                                          const char          *format,
                                                          ...) G_GNUC_PRINTF (4, 5);
void               _poste_config_key_error               (Scan                *scan,
                                                          int                  code,
                                                          guint                line,
                                                          const char          *key,
                                                          const char          *format,
                                                          ...) G_GNUC_PRINTF (5, 6);
guint              _poste_config_scan_key_line           (Scan                *scan,
                                                          const char          *group,
                                                          const char          *key);
guint              _poste_config_scan_group_line         (Scan                *scan,
                                                          const char          *group);
void               _poste_config_scan_text               (Scan                *scan,
                                                          const char          *text,
                                                          gsize                length);
char              *_poste_config_get_value               (GKeyFile            *keyfile,
                                                          const char          *group,
                                                          const char          *key,
                                                          GError             **error);

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

/* A rule between a provider's keys (ProviderKey checks one key alone). */
typedef struct
{
  /* The key the error names, and the key whose line a load points at. */
  const char *key;
  const char *line_key;
  /* %FALSE with a %POSTE_CONFIG_ERROR when @provider breaks the rule. */
  gboolean  (*check) (PosteProvider  *provider,
                      GError        **error);
  /* Only meaningful once every key of the group parsed (it reads the targets). */
  gboolean    needs_valid_keys;
} ProviderRule;

extern const ProviderRule _poste_config_provider_rules[];
extern const guint        _poste_config_n_provider_rules;

G_END_DECLS
