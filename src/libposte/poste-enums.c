/* poste-enums.c: the names of libposte's enumerations, from their GEnum types
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every enumeration that has a name in a file, a log or a list (the configuration's security=
 * and auth=, the history's outcome, the session's states) is a GEnum type whose value nicks
 * are those names: written once, in its G_DEFINE_ENUM_TYPE, and read here.
 */
#include "config.h"

#include "poste-enums.h"

/**
 * poste_enum_get_nick:
 * @type: a GEnum type
 * @value: one of its values
 *
 * Returns: (transfer none): the value's nick (its name in files and logs), or "unknown"
 */
const char *
poste_enum_get_nick (GType type,
                     int   value)
{
  g_autoptr(GEnumClass) klass = NULL;
  GEnumValue *found;

  g_return_val_if_fail (G_TYPE_IS_ENUM (type), "unknown");

  klass = g_type_class_ref (type);
  found = g_enum_get_value (klass, value);
  /* Nicks are static strings of the type: they outlive the class reference. */
  return found != NULL ? found->value_nick : "unknown";
}

/**
 * poste_enum_from_nick:
 * @type: a GEnum type
 * @nick: a name, as poste_enum_get_nick() gives it
 * @value: (out): the value named
 *
 * Returns: %TRUE when @nick names a value of @type (exactly: case matters)
 */
gboolean
poste_enum_from_nick (GType       type,
                      const char *nick,
                      int        *value)
{
  g_autoptr(GEnumClass) klass = NULL;
  GEnumValue *found;

  g_return_val_if_fail (G_TYPE_IS_ENUM (type), FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  if (nick == NULL)
    return FALSE;
  klass = g_type_class_ref (type);
  found = g_enum_get_value_by_nick (klass, nick);
  if (found == NULL)
    return FALSE;
  *value = found->value;
  return TRUE;
}

/**
 * poste_enum_list_nicks:
 * @type: a GEnum type
 *
 * Returns: (transfer full): every nick of @type in order, separated by ", ", for messages such as
 *   "'x' is not one of starttls, tls, none"
 */
char *
poste_enum_list_nicks (GType type)
{
  g_autoptr(GEnumClass) klass = NULL;
  GString *text = g_string_new (NULL);

  g_return_val_if_fail (G_TYPE_IS_ENUM (type), g_string_free (text, FALSE));

  klass = g_type_class_ref (type);
  for (guint i = 0; i < klass->n_values; i++)
    g_string_append_printf (text, "%s%s", i > 0 ? ", " : "", klass->values[i].value_nick);
  return g_string_free (text, FALSE);
}
