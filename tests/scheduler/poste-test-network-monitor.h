/* poste-test-network-monitor.h: a GNetworkMonitor the tests set by hand
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define POSTE_TYPE_TEST_NETWORK_MONITOR (poste_test_network_monitor_get_type ())
G_DECLARE_FINAL_TYPE (PosteTestNetworkMonitor, poste_test_network_monitor, POSTE, TEST_NETWORK_MONITOR, GObject)

PosteTestNetworkMonitor *poste_test_network_monitor_new (GNetworkConnectivity     connectivity);
void                     poste_test_network_monitor_set (PosteTestNetworkMonitor *self,
                                                         GNetworkConnectivity     connectivity);

G_END_DECLS
