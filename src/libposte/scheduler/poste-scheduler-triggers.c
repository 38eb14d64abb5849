/* poste-scheduler-triggers.c: what makes every provider fetch besides its timer: the network
 * coming up and the resume from suspend
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "poste-scheduler-private.h"


static void
check_network (PosteScheduler *self)
{
  gboolean full;

  full = g_network_monitor_get_network_available (self->monitor) &&
         g_network_monitor_get_connectivity (self->monitor) == G_NETWORK_CONNECTIVITY_FULL;
  if (full == self->network_full)
    return;
  self->network_full = full;
  g_debug ("Scheduler: the network is %s", full ? "up" : "down or limited");
  if (full)
    _poste_scheduler_request_all (self, POSTE_FETCH_REASON_NETWORK);
}

static void
network_changed_cb (GNetworkMonitor *monitor,
                    gboolean         available,
                    gpointer         user_data)
{
  check_network (user_data);
}

static void
connectivity_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  check_network (user_data);
}

/**
 * _poste_scheduler_resumed:
 * @self: a #PosteScheduler
 *
 * What logind's PrepareForSleep(false) triggers: every provider on a schedule fetches after
 * %POSTE_SCHEDULER_RESUME_DELAY. Tests call it directly.
 */
void
_poste_scheduler_resumed (PosteScheduler *self)
{
  g_return_if_fail (POSTE_IS_SCHEDULER (self));
  _poste_scheduler_request_all (self, POSTE_FETCH_REASON_RESUME);
}

static void
prepare_for_sleep_cb (GDBusConnection *connection,
                      const char      *sender_name,
                      const char      *object_path,
                      const char      *interface_name,
                      const char      *signal_name,
                      GVariant        *parameters,
                      gpointer         user_data)
{
  gboolean start;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(b)")))
    return;
  g_variant_get (parameters, "(b)", &start);
  g_debug ("Scheduler: %s", start ? "going to sleep" : "resumed from sleep");
  if (!start)
    _poste_scheduler_resumed (user_data);
}

static void
system_bus_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = g_bus_get_finish (result, &error);
  PosteScheduler *self;

  if (bus == NULL)
    {
      /* Containers and minimal systems have no system bus: resume just goes unnoticed. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Scheduler: no system bus, resume from suspend is not watched: %s",
                 error->message);
      return;
    }
  self = user_data;
  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  _poste_scheduler_watch_sleep (self, bus);
}

/**
 * _poste_scheduler_watch_sleep:
 * @self: a #PosteScheduler
 * @bus: the system bus (a test's private bus)
 *
 * Subscribes to logind's PrepareForSleep on @bus: PrepareForSleep(false), the resume, calls
 * _poste_scheduler_resumed(). A scheduler with a real clock does this by itself on the system
 * bus; tests call it with a private bus and a manual clock.
 */
void
_poste_scheduler_watch_sleep (PosteScheduler  *self,
                              GDBusConnection *bus)
{
  g_return_if_fail (POSTE_IS_SCHEDULER (self));
  g_return_if_fail (G_IS_DBUS_CONNECTION (bus));

  if (self->sleep_subscription != 0)
    g_dbus_connection_signal_unsubscribe (self->system_bus, self->sleep_subscription);
  g_set_object (&self->system_bus, bus);
  self->sleep_subscription =
    g_dbus_connection_signal_subscribe (self->system_bus,
                                        "org.freedesktop.login1",
                                        "org.freedesktop.login1.Manager",
                                        "PrepareForSleep",
                                        "/org/freedesktop/login1",
                                        NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE,
                                        prepare_for_sleep_cb,
                                        self,
                                        NULL);
}

/**
 * _poste_scheduler_watch_triggers:
 * @self: a #PosteScheduler, being constructed
 *
 * Starts watching what makes every provider fetch besides its timer: the network coming up
 * (its #GNetworkMonitor) and, with a real clock, the resume from suspend (logind on the system
 * bus). A test's manual clock stays private: it drives these through
 * _poste_scheduler_resumed() and _poste_scheduler_watch_sleep().
 */
void
_poste_scheduler_watch_triggers (PosteScheduler *self)
{
  self->network_full =
    g_network_monitor_get_network_available (self->monitor) &&
    g_network_monitor_get_connectivity (self->monitor) == G_NETWORK_CONNECTIVITY_FULL;
  g_signal_connect (self->monitor, "network-changed", G_CALLBACK (network_changed_cb), self);
  g_signal_connect (self->monitor, "notify::connectivity", G_CALLBACK (connectivity_cb), self);

  if (!poste_clock_is_manual (self->clock))
    g_bus_get (G_BUS_TYPE_SYSTEM, self->cancellable, system_bus_cb, self);
}
