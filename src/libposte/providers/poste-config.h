/* poste-config.h: the configuration keyfile, loaded, validated strictly and saved atomically
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "poste-types.h"
#include "poste-provider.h"

G_BEGIN_DECLS

/**
 * POSTE_CONFIG_FILE_NAME:
 *
 * The configuration file's name under `$XDG_CONFIG_HOME/poste-restante/`.
 */
#define POSTE_CONFIG_FILE_NAME "poste-restante.conf"

/**
 * POSTE_CONFIG_MAX_SIZE:
 *
 * The largest configuration file read, in bytes. A configuration is a few kilobytes; anything
 * this large is a mistake, not a configuration.
 */
#define POSTE_CONFIG_MAX_SIZE (1024 * 1024)

#define POSTE_TYPE_CONFIG (poste_config_get_type ())
G_DECLARE_FINAL_TYPE (PosteConfig, poste_config, POSTE, CONFIG, GObject)

PosteConfig   *poste_config_new                 (void);
char          *poste_config_dup_default_path    (void);
const char    *poste_config_get_path            (PosteConfig    *self);
gboolean       poste_config_load                (PosteConfig    *self,
                                                 const char     *path,
                                                 GError        **error);
gboolean       poste_config_load_from_data      (PosteConfig    *self,
                                                 const char     *path,
                                                 const char     *data,
                                                 gssize          length,
                                                 GError        **error);
gboolean       poste_config_save                (PosteConfig    *self,
                                                 const char     *path,
                                                 GError        **error);
char          *poste_config_to_data             (PosteConfig    *self,
                                                 gsize          *length);
GListModel    *poste_config_get_providers       (PosteConfig    *self);
PosteProvider *poste_config_lookup              (PosteConfig    *self,
                                                 const char     *name);
void           poste_config_add_provider        (PosteConfig    *self,
                                                 PosteProvider  *provider);
gboolean       poste_config_remove_provider     (PosteConfig    *self,
                                                 const char     *name);
const char    *poste_config_get_outbox_listen   (PosteConfig    *self);
guint          poste_config_get_outbox_port     (PosteConfig    *self);

gboolean       poste_config_validate_provider   (PosteProvider  *provider,
                                                 GError        **error);
gboolean       poste_config_check_name          (const char     *name,
                                                 GError        **error);
gboolean       poste_config_check_domain        (const char     *domain,
                                                 char          **ascii,
                                                 GError        **error);
gboolean       poste_config_check_target        (const char     *target,
                                                 GError        **error);
gboolean       poste_config_check_host_port     (const char     *text,
                                                 gboolean        port_required,
                                                 GError        **error);
char          *poste_config_expand_path         (const char     *path,
                                                 GError        **error);
char          *poste_config_expand_target       (const char     *target,
                                                 GError        **error);

G_END_DECLS
