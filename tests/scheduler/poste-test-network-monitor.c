/* poste-test-network-monitor.c: a GNetworkMonitor the tests set by hand
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "poste-test-network-monitor.h"

/* Implements the GNetworkMonitor interface as the real monitors do: the "network-available",
 * "network-metered" and "connectivity" properties, and "network-changed" when they change. The
 * network counts as available for any connectivity but G_NETWORK_CONNECTIVITY_LOCAL, as
 * GNetworkMonitorBase reports it. */

struct _PosteTestNetworkMonitor
{
  GObject               parent_instance;
  GNetworkConnectivity  connectivity;
};

static void poste_test_network_monitor_iface_init (GNetworkMonitorInterface *iface);
static void poste_test_network_monitor_initable_iface_init (GInitableIface *iface);

/* GNetworkMonitor requires GInitable. */
G_DEFINE_FINAL_TYPE_WITH_CODE (PosteTestNetworkMonitor, poste_test_network_monitor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      poste_test_network_monitor_initable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_NETWORK_MONITOR,
                                                      poste_test_network_monitor_iface_init))

enum {
  PROP_0,
  PROP_NETWORK_AVAILABLE,
  PROP_NETWORK_METERED,
  PROP_CONNECTIVITY,
};

static gboolean
can_reach (GNetworkMonitor     *monitor,
           GSocketConnectable  *connectable,
           GCancellable        *cancellable,
           GError             **error)
{
  PosteTestNetworkMonitor *self = POSTE_TEST_NETWORK_MONITOR (monitor);

  if (self->connectivity == G_NETWORK_CONNECTIVITY_LOCAL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE, "No network (test)");
      return FALSE;
    }
  return TRUE;
}

static gboolean
initable_init (GInitable     *initable,
               GCancellable  *cancellable,
               GError       **error)
{
  return TRUE;
}

static void
poste_test_network_monitor_initable_iface_init (GInitableIface *iface)
{
  iface->init = initable_init;
}

static void
poste_test_network_monitor_iface_init (GNetworkMonitorInterface *iface)
{
  iface->can_reach = can_reach;
}

static void
poste_test_network_monitor_get_property (GObject    *object,
                                         guint       prop_id,
                                         GValue     *value,
                                         GParamSpec *pspec)
{
  PosteTestNetworkMonitor *self = POSTE_TEST_NETWORK_MONITOR (object);

  switch (prop_id)
    {
    case PROP_NETWORK_AVAILABLE:
      g_value_set_boolean (value, self->connectivity != G_NETWORK_CONNECTIVITY_LOCAL);
      break;
    case PROP_NETWORK_METERED:
      g_value_set_boolean (value, FALSE);
      break;
    case PROP_CONNECTIVITY:
      g_value_set_enum (value, self->connectivity);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
poste_test_network_monitor_class_init (PosteTestNetworkMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = poste_test_network_monitor_get_property;

  g_object_class_override_property (object_class, PROP_NETWORK_AVAILABLE, "network-available");
  g_object_class_override_property (object_class, PROP_NETWORK_METERED, "network-metered");
  g_object_class_override_property (object_class, PROP_CONNECTIVITY, "connectivity");
}

static void
poste_test_network_monitor_init (PosteTestNetworkMonitor *self)
{
}

/**
 * poste_test_network_monitor_new:
 * @connectivity: the connectivity to start with
 *
 * Returns: (transfer full): a new monitor
 */
PosteTestNetworkMonitor *
poste_test_network_monitor_new (GNetworkConnectivity connectivity)
{
  PosteTestNetworkMonitor *self = g_object_new (POSTE_TYPE_TEST_NETWORK_MONITOR, NULL);

  self->connectivity = connectivity;
  return self;
}

/**
 * poste_test_network_monitor_set:
 * @self: a #PosteTestNetworkMonitor
 * @connectivity: the new connectivity
 *
 * Changes the connectivity and, as GIO's monitors do, emits notify::connectivity (and
 * notify::network-available when that changes) and "network-changed", even when nothing changed
 * (real monitors emit it for route changes too).
 */
void
poste_test_network_monitor_set (PosteTestNetworkMonitor *self,
                                GNetworkConnectivity     connectivity)
{
  gboolean was_available;

  g_return_if_fail (POSTE_IS_TEST_NETWORK_MONITOR (self));

  was_available = self->connectivity != G_NETWORK_CONNECTIVITY_LOCAL;
  if (self->connectivity != connectivity)
    {
      self->connectivity = connectivity;
      g_object_notify (G_OBJECT (self), "connectivity");
      if (was_available != (connectivity != G_NETWORK_CONNECTIVITY_LOCAL))
        g_object_notify (G_OBJECT (self), "network-available");
    }
  g_signal_emit_by_name (self, "network-changed", connectivity != G_NETWORK_CONNECTIVITY_LOCAL);
}
