/* host-call.c: a D-Bus call made as a tray host makes it, waited for on the main context
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The object called (the application's item and menu, or the exporter under test) answers from
 * this process's own main context, so a blocking call would never get its reply: the call is
 * asynchronous and the main context runs until it is done. The call's own timeout bounds the
 * wait.
 */
#include "config.h"

#include "host-call.h"

typedef struct {
  gboolean  done;
  GVariant *reply;
  GError   *error;
} Call;

static void
call_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Call *call = user_data;

  call->reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &call->error);
  call->done = TRUE;
}

/**
 * host_call:
 * @connection: the host's end
 * @destination: (nullable): a bus name; %NULL on a peer-to-peer connection
 * @path: an object path
 * @interface: the interface of @method
 * @method: the method
 * @parameters: (nullable): its parameters, floating
 * @reply_type: (nullable): the reply's type
 * @flags: the call's flags
 * @timeout_msec: how long the call may take, in milliseconds
 * @error: the call's error: a #G_DBUS_ERROR, or #G_IO_ERROR_TIMED_OUT after @timeout_msec
 *
 * Calls @method and iterates the default main context until the reply comes.
 *
 * Returns: (transfer full) (nullable): the reply, or %NULL with @error set
 */
GVariant *
host_call (GDBusConnection     *connection,
           const char          *destination,
           const char          *path,
           const char          *interface,
           const char          *method,
           GVariant            *parameters,
           const GVariantType  *reply_type,
           GDBusCallFlags       flags,
           int                  timeout_msec,
           GError             **error)
{
  Call c = { 0 };

  g_dbus_connection_call (connection, destination, path, interface, method, parameters,
                          reply_type, flags, timeout_msec, NULL, call_cb, &c);
  while (!c.done)
    g_main_context_iteration (NULL, TRUE);
  if (c.error != NULL)
    g_propagate_error (error, c.error);
  return c.reply;
}
