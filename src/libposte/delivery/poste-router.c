/* poste-router.c: the delivery target for each recipient
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A provider has one default target ("delivery=") and optional per-recipient targets, its
 * "routes": each "RECIPIENT=TARGET", where RECIPIENT is an address ("alice@example.org") or a
 * domain ("@example.org"); in the keyfile they are written "route.alice@example.org=TARGET".
 * An exact address wins over a domain, a domain over the default; addresses and domains compare
 * without regard to ASCII case.
 * "postmaster" without a domain (RFC 5321 section 4.5.1) goes to the first route for a
 * "postmaster@" address, else to the default target.
 *
 * One transaction goes to one target: the router opens the target's transaction at the first
 * recipient, and a later recipient that belongs to another target gets 452 4.5.3, so the provider
 * sends it again in another transaction. No message is ever split between two commits, and none
 * is stored twice. The router also keeps each target's own limit on recipients (one for LMTP and
 * for an MDA with %T).
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "poste-delivery-private.h"
#include "poste-error.h"
#include "poste-maildir-delivery.h"
#include "poste-mbox-delivery.h"
#include "poste-mda-delivery.h"
#include "poste-provider.h"
#include "poste-reply.h"
#include "poste-router.h"
#include "poste-sandbox.h"
#include "poste-target.h"
#include "poste-smtp-delivery.h"

typedef struct {
  char *recipient;    /* lower-case address, or "@domain" */
  char *target;
} Route;

struct _PosteRouter
{
  GObject         parent_instance;

  char           *default_target;
  GPtrArray      *routes;     /* of Route */
  GHashTable     *targets;    /* target string => PosteDelivery */

  /* the open transaction */
  PosteEnvelope  *envelope;
  PosteDelivery  *current;
  guint           accepted;
};

static void poste_router_iface_init (PosteDeliveryInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PosteRouter, poste_router, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (POSTE_TYPE_DELIVERY,
                                                      poste_router_iface_init))

static void
route_free (Route *route)
{
  g_free (route->recipient);
  g_free (route->target);
  g_free (route);
}

/**
 * poste_delivery_new_for_target:
 * @target: a target specification: "smtp://HOST[:PORT]" (port 25 by default),
 *   "lmtp://HOST[:PORT]" (port 24), "lmtp:/PATH/TO/SOCKET", "mbox:/PATH", "maildir:/PATH" or
 *   "mda:/PATH ARGS..." (split like a shell would, run without one; %F sender, %T recipient);
 *   a path may start with "~/" for the home directory
 * @error: return location for a #GError
 *
 * Makes the delivery target that @target describes (poste_target_parse(), then
 * poste_target_create_delivery()). Nothing is opened yet: a local MTA is connected to, and
 * folders created, at the first message. Inside a Flatpak sandbox a target the sandbox cannot
 * reach is refused now (poste_delivery_check_reachable()), so that a fetch stops before its
 * session and the provider keeps the mail.
 *
 * Returns: (transfer full): a new #PosteDelivery, or %NULL with %POSTE_DELIVERY_ERROR_INVALID,
 *   or %POSTE_DELIVERY_ERROR_SANDBOX inside a sandbox that cannot reach the target
 */
PosteDelivery *
poste_delivery_new_for_target (const char  *target,
                               GError     **error)
{
  g_autoptr(PosteTarget) parsed = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (target != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(parsed = poste_target_parse (target, &local_error)))
    {
      g_set_error_literal (error, POSTE_DELIVERY_ERROR, POSTE_DELIVERY_ERROR_INVALID,
                           local_error->message);
      return NULL;
    }
  if (!poste_delivery_check_reachable (poste_target_get_spec (parsed), error))
    return NULL;
  return poste_target_create_delivery (parsed, error);
}

static gboolean
add_target (PosteRouter  *self,
            const char   *target,
            GError      **error)
{
  PosteDelivery *delivery;

  if (g_hash_table_contains (self->targets, target))
    return TRUE;
  delivery = poste_delivery_new_for_target (target, error);
  if (delivery == NULL)
    return FALSE;
  g_hash_table_insert (self->targets, g_strdup (target), delivery);
  return TRUE;
}

/* Splits "RECIPIENT=TARGET": the '=' is the first after the '@' (a local part may hold '='). */
static Route *
parse_route (const char  *text,
             GError     **error)
{
  const char *at = strchr (text, '@');
  const char *equals = at != NULL ? strchr (at, '=') : NULL;
  g_autofree char *recipient = NULL;
  Route *route;

  if (at == NULL || equals == NULL || equals == at + 1)
    {
      g_set_error (error, POSTE_DELIVERY_ERROR, POSTE_DELIVERY_ERROR_INVALID,
                   _("The route “%s” is not of the form ADDRESS=TARGET or @DOMAIN=TARGET"),
                   text);
      return NULL;
    }
  recipient = g_strstrip (g_strndup (text, equals - text));
  if (strpbrk (recipient, " \t<>") != NULL || strchr (recipient, '@') != strrchr (recipient, '@'))
    {
      g_set_error (error, POSTE_DELIVERY_ERROR, POSTE_DELIVERY_ERROR_INVALID,
                   _("The route “%s” does not start with one address or domain"), text);
      return NULL;
    }
  route = g_new0 (Route, 1);
  route->recipient = g_ascii_strdown (recipient, -1);
  route->target = g_strstrip (g_strdup (equals + 1));
  return route;
}

/**
 * poste_router_new_for_routes:
 * @default_target: the target for recipients without a route
 * @routes: (array zero-terminated=1) (nullable): "RECIPIENT=TARGET" strings; RECIPIENT is an
 *   address or "@domain"
 * @error: return location for a #GError
 *
 * Makes a router over the targets, each checked with poste_delivery_new_for_target().
 *
 * Returns: (transfer full): a new #PosteRouter as a #PosteDelivery, or %NULL with
 *   %POSTE_DELIVERY_ERROR_INVALID naming the bad route or target
 */
PosteDelivery *
poste_router_new_for_routes (const char          *default_target,
                             const char * const  *routes,
                             GError             **error)
{
  g_autoptr(PosteRouter) self = NULL;

  g_return_val_if_fail (default_target != NULL, NULL);

  self = g_object_new (POSTE_TYPE_ROUTER, NULL);
  self->default_target = g_strstrip (g_strdup (default_target));
  if (!add_target (self, self->default_target, error))
    return NULL;
  for (guint i = 0; routes != NULL && routes[i] != NULL; i++)
    {
      Route *route = parse_route (routes[i], error);

      if (route == NULL)
        return NULL;
      g_ptr_array_add (self->routes, route);
      if (!add_target (self, route->target, error))
        return NULL;
    }
  return POSTE_DELIVERY (g_steal_pointer (&self));
}

/**
 * poste_router_new:
 * @provider: a #PosteProvider
 * @error: return location for a #GError
 *
 * Makes the delivery for a provider's session: its "delivery" target for every recipient, except
 * those its "routes" send elsewhere. Without routes this is simply the default target.
 *
 * Returns: (transfer full): a #PosteDelivery, or %NULL with %POSTE_DELIVERY_ERROR_INVALID
 */
PosteDelivery *
poste_router_new (PosteProvider  *provider,
                  GError        **error)
{
  const char *target;
  const char * const *routes;

  g_return_val_if_fail (POSTE_IS_PROVIDER (provider), NULL);

  target = poste_provider_get_delivery (provider);
  routes = poste_provider_get_routes (provider);
  if (target == NULL || *target == '\0')
    {
      g_set_error (error, POSTE_DELIVERY_ERROR, POSTE_DELIVERY_ERROR_INVALID,
                   _("The provider “%s” has no delivery target"),
                   poste_provider_get_name (provider));
      return NULL;
    }
  if (routes == NULL || routes[0] == NULL)
    return poste_delivery_new_for_target (target, error);
  return poste_router_new_for_routes (target, routes, error);
}

/**
 * poste_router_check_provider:
 * @provider: a #PosteProvider
 * @error: return location for a #GError
 *
 * Checks, without delivering anything, that every delivery target of @provider can be made where
 * this process runs: the form of each target and route, and inside Flatpak whether the sandbox
 * reaches it (poste_delivery_check_reachable()). A fetch would refuse the same targets before its
 * session; `check` and the editor say so first.
 *
 * Returns: %TRUE when every target can be made; %FALSE with the error poste_router_new() gives
 */
gboolean
poste_router_check_provider (PosteProvider  *provider,
                             GError        **error)
{
  g_autoptr(PosteDelivery) router = NULL;

  g_return_val_if_fail (POSTE_IS_PROVIDER (provider), FALSE);

  router = poste_router_new (provider, error);
  return router != NULL;
}

/**
 * poste_router_lookup:
 * @self: a #PosteRouter
 * @recipient: an envelope recipient
 *
 * The target for @recipient: its exact route, its domain's route, else the default; a bare
 * "postmaster" (RFC 5321 section 4.5.1) takes the first route for a "postmaster@" address.
 *
 * Returns: (transfer none): the target specification @recipient goes to
 */
const char *
poste_router_lookup (PosteRouter *self,
                     const char  *recipient)
{
  g_autofree char *lower = NULL;
  const char *at;

  g_return_val_if_fail (POSTE_IS_ROUTER (self), NULL);
  g_return_val_if_fail (recipient != NULL, NULL);

  lower = g_ascii_strdown (recipient, -1);
  for (guint i = 0; i < self->routes->len; i++)
    {
      Route *route = g_ptr_array_index (self->routes, i);

      if (route->recipient[0] != '@' && strcmp (route->recipient, lower) == 0)
        return route->target;
    }
  if (strcmp (lower, "postmaster") == 0)
    for (guint i = 0; i < self->routes->len; i++)
      {
        Route *route = g_ptr_array_index (self->routes, i);

        if (g_str_has_prefix (route->recipient, "postmaster@"))
          return route->target;
      }
  at = strrchr (lower, '@');
  if (at != NULL)
    for (guint i = 0; i < self->routes->len; i++)
      {
        Route *route = g_ptr_array_index (self->routes, i);

        if (route->recipient[0] == '@' && strcmp (route->recipient, at) == 0)
          return route->target;
      }
  return self->default_target;
}

/**
 * poste_delivery_target_relays:
 * @target: a target specification (see poste_delivery_new_for_target())
 *
 * Whether @target hands mail to another mail server that may pass it on: an SMTP relay
 * ("smtp://") or an LMTP server ("lmtp://", "lmtp:/socket"; Dovecot and Cyrus can proxy too).
 * A local MTA usually trusts loopback, so such a target must only ever get recipients in the
 * provider's own domains. mbox, Maildir and MDA targets store the mail here.
 *
 * Returns: %TRUE for an SMTP or LMTP target
 */
gboolean
poste_delivery_target_relays (const char *target)
{
  g_autoptr(PosteTarget) parsed = NULL;

  g_return_val_if_fail (target != NULL, FALSE);

  if ((parsed = poste_target_parse (target, NULL)) != NULL)
    return poste_target_kind_relays (poste_target_get_kind (parsed));
  /* One that does not parse is never made into a delivery; its scheme still says what it
   * meant, and "relays" is the safe side. */
  while (g_ascii_isspace (*target))
    target++;
  return g_ascii_strncasecmp (target, "smtp:", 5) == 0 ||
         g_ascii_strncasecmp (target, "lmtp:", 5) == 0;
}

/**
 * poste_delivery_relays_for:
 * @delivery: a session's delivery (a #PosteRouter or one target)
 * @recipient: an envelope recipient
 *
 * Whether @recipient would go to a target that relays (poste_delivery_target_relays()): through
 * the router's routes for a #PosteRouter, or an SMTP or LMTP target itself.
 *
 * Returns: %TRUE when @recipient's target is an SMTP or LMTP server
 */
gboolean
poste_delivery_relays_for (PosteDelivery *delivery,
                           const char    *recipient)
{
  g_return_val_if_fail (POSTE_IS_DELIVERY (delivery), TRUE);
  g_return_val_if_fail (recipient != NULL, TRUE);

  if (POSTE_IS_ROUTER (delivery))
    return poste_delivery_target_relays (poste_router_lookup (POSTE_ROUTER (delivery), recipient));
  return POSTE_IS_SMTP_DELIVERY (delivery);
}

static PosteDeliveryFlags
poste_router_get_flags (PosteDelivery *delivery)
{
  PosteRouter *self = POSTE_ROUTER (delivery);
  PosteDeliveryFlags flags = POSTE_DELIVERY_FLAGS_8BITMIME | POSTE_DELIVERY_FLAGS_SMTPUTF8;
  GHashTableIter iter;
  gpointer value;

  /* What every target can take. */
  g_hash_table_iter_init (&iter, self->targets);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    flags &= poste_delivery_get_flags (value);
  return flags;
}

static void
end_transaction (PosteRouter *self)
{
  self->current = NULL;
  self->accepted = 0;
}

static PosteReply *
poste_router_begin (PosteDelivery        *delivery,
                    const PosteEnvelope  *envelope,
                    GCancellable         *cancellable)
{
  PosteRouter *self = POSTE_ROUTER (delivery);

  if (self->current != NULL)
    poste_delivery_abort (self->current);
  end_transaction (self);

  g_clear_pointer (&self->envelope, poste_envelope_free);
  self->envelope = poste_envelope_new (envelope->sender);
  self->envelope->declared_size = envelope->declared_size;
  self->envelope->body_8bit = envelope->body_8bit;
  self->envelope->smtputf8 = envelope->smtputf8;
  /* The target's own MAIL FROM happens at the first recipient, once the target is known. */
  return poste_reply_new (250, "2.1.0", "Sender ok");
}

static PosteReply *
poste_router_add_recipient (PosteDelivery        *delivery,
                            const PosteEnvelope  *envelope,
                            const char           *recipient,
                            GCancellable         *cancellable)
{
  PosteRouter *self = POSTE_ROUTER (delivery);
  PosteDelivery *target;
  PosteReply *reply;
  guint max;

  if (self->envelope == NULL)
    return poste_reply_new (503, "5.5.1", "No transaction");

  target = g_hash_table_lookup (self->targets, poste_router_lookup (self, recipient));
  g_assert (target != NULL);

  if (self->current != NULL && self->current != target)
    return poste_reply_new (452, "4.5.3",
                            "This recipient goes to another local target, send it separately");

  if (self->current == NULL)
    {
      reply = poste_delivery_begin (target, self->envelope, cancellable);
      if (!poste_reply_is_positive (reply))
        return reply;
      poste_reply_free (reply);
      self->current = target;
      self->accepted = 0;
    }

  max = poste_delivery_get_max_recipients (target);
  if (max > 0 && self->accepted >= max)
    return poste_reply_new (452, "4.5.3", "Too many recipients, send the others separately");

  reply = poste_delivery_add_recipient (target, self->envelope, recipient, cancellable);
  if (poste_reply_is_positive (reply))
    {
      self->accepted++;
      g_ptr_array_add (self->envelope->recipients, g_strdup (recipient));
    }
  else if (self->accepted == 0)
    {
      /* Nothing is bound to this target yet: leave the next recipient free to go elsewhere. */
      poste_delivery_abort (target);
      end_transaction (self);
    }
  return reply;
}

static gboolean
poste_router_write (PosteDelivery  *delivery,
                    const guint8   *data,
                    gsize           length,
                    GCancellable   *cancellable,
                    GError        **error)
{
  PosteRouter *self = POSTE_ROUTER (delivery);

  if (self->current == NULL)
    {
      g_set_error_literal (error, POSTE_DELIVERY_ERROR, POSTE_DELIVERY_ERROR_TEMPORARY,
                           _("No recipient was accepted"));
      return FALSE;
    }
  return poste_delivery_write (self->current, data, length, cancellable, error);
}

static PosteReply *
poste_router_commit (PosteDelivery *delivery,
                     GCancellable  *cancellable)
{
  PosteRouter *self = POSTE_ROUTER (delivery);
  PosteReply *reply;

  if (self->current == NULL)
    return poste_reply_new (503, "5.5.1", "No valid recipients");
  reply = poste_delivery_commit (self->current, cancellable);
  end_transaction (self);
  g_clear_pointer (&self->envelope, poste_envelope_free);
  return reply;
}

static void
poste_router_abort (PosteDelivery *delivery)
{
  PosteRouter *self = POSTE_ROUTER (delivery);

  if (self->current != NULL)
    poste_delivery_abort (self->current);
  end_transaction (self);
  g_clear_pointer (&self->envelope, poste_envelope_free);
}

static void
poste_router_close (PosteDelivery *delivery)
{
  PosteRouter *self = POSTE_ROUTER (delivery);
  GHashTableIter iter;
  gpointer value;

  poste_router_abort (delivery);
  g_hash_table_iter_init (&iter, self->targets);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    poste_delivery_close (value);
}

static void
poste_router_iface_init (PosteDeliveryInterface *iface)
{
  iface->get_flags = poste_router_get_flags;
  iface->begin = poste_router_begin;
  iface->add_recipient = poste_router_add_recipient;
  iface->write = poste_router_write;
  iface->commit = poste_router_commit;
  iface->abort = poste_router_abort;
  iface->close = poste_router_close;
}

static void
poste_router_finalize (GObject *object)
{
  PosteRouter *self = POSTE_ROUTER (object);

  g_clear_pointer (&self->envelope, poste_envelope_free);
  g_hash_table_unref (self->targets);
  g_ptr_array_unref (self->routes);
  g_free (self->default_target);

  G_OBJECT_CLASS (poste_router_parent_class)->finalize (object);
}

static void
poste_router_class_init (PosteRouterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = poste_router_finalize;
}

static void
poste_router_init (PosteRouter *self)
{
  self->routes = g_ptr_array_new_with_free_func ((GDestroyNotify) route_free);
  self->targets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}
