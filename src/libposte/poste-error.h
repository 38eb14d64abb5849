/* poste-error.h: the error domains of libposte
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * POSTE_PROTOCOL_ERROR:
 *
 * Errors in what the peer sent: the SMTP conversation itself went wrong (RFC 5321).
 * Network failures are reported in the %G_IO_ERROR domain (%G_IO_ERROR_TIMED_OUT when a deadline
 * passes, %G_IO_ERROR_CANCELLED when the user stops), TLS failures in %G_TLS_ERROR.
 */
#define POSTE_PROTOCOL_ERROR (poste_protocol_error_quark ())

/**
 * PosteProtocolError:
 * @POSTE_PROTOCOL_ERROR_LINE_TOO_LONG: a line exceeded its limit (512 octets for a reply line,
 *   RFC 5321 section 4.5.3.1.5)
 * @POSTE_PROTOCOL_ERROR_TOO_MANY_LINES: a multi-line reply went on past its line limit
 * @POSTE_PROTOCOL_ERROR_MALFORMED: a reply or command is not well formed (bad code, codes that
 *   change between lines, NUL or other control bytes, a bare CR)
 * @POSTE_PROTOCOL_ERROR_UNEXPECTED: a well-formed reply that makes no sense at this point
 * @POSTE_PROTOCOL_ERROR_CLOSED: the peer closed the connection
 * @POSTE_PROTOCOL_ERROR_INJECTION: bytes arrived ahead of a TLS handshake (STARTTLS response
 *   injection, RFC 3207 section 6 and CVE-2011-0411)
 */
typedef enum {
  POSTE_PROTOCOL_ERROR_LINE_TOO_LONG,
  POSTE_PROTOCOL_ERROR_TOO_MANY_LINES,
  POSTE_PROTOCOL_ERROR_MALFORMED,
  POSTE_PROTOCOL_ERROR_UNEXPECTED,
  POSTE_PROTOCOL_ERROR_CLOSED,
  POSTE_PROTOCOL_ERROR_INJECTION,
} PosteProtocolError;

/**
 * POSTE_SESSION_ERROR:
 *
 * Why an ODMR session ended without fetching the mail (RFC 2645, section 5 for the ATRN replies).
 */
#define POSTE_SESSION_ERROR (poste_session_error_quark ())

/**
 * PosteSessionError:
 * @POSTE_SESSION_ERROR_TLS_REQUIRED: TLS is required but the provider did not offer STARTTLS or
 *   refused it (never fall back to plaintext)
 * @POSTE_SESSION_ERROR_CERTIFICATE: the provider's certificate failed verification or no longer
 *   matches the pinned fingerprint
 * @POSTE_SESSION_ERROR_AUTH_UNAVAILABLE: no SASL mechanism both sides support and policy allows
 * @POSTE_SESSION_ERROR_AUTH_FAILED: the provider rejected the credentials (535, RFC 4954)
 * @POSTE_SESSION_ERROR_AUTH_REQUIRED: the provider wants authentication first (530)
 * @POSTE_SESSION_ERROR_REFUSED: the provider refused ATRN for now (450: busy, rate limited)
 * @POSTE_SESSION_ERROR_TRY_LATER: a local error at the provider (451)
 * @POSTE_SESSION_ERROR_NOT_SUPPORTED: the provider has no ODMR (502), or rejected a command for
 *   good (another 5xx: a protocol or configuration error, never "try later"; exit status 4)
 * @POSTE_SESSION_ERROR_DELIVERY: a message could not be delivered locally (the provider keeps it)
 * @POSTE_SESSION_ERROR_CONFIG: the provider's configuration does not allow a session, or the
 *   provider refused what it asked for (501 or 504 to ATRN: the message says what to set in
 *   domains=; exit status 5)
 */
typedef enum {
  POSTE_SESSION_ERROR_TLS_REQUIRED,
  POSTE_SESSION_ERROR_CERTIFICATE,
  POSTE_SESSION_ERROR_AUTH_UNAVAILABLE,
  POSTE_SESSION_ERROR_AUTH_FAILED,
  POSTE_SESSION_ERROR_AUTH_REQUIRED,
  POSTE_SESSION_ERROR_REFUSED,
  POSTE_SESSION_ERROR_TRY_LATER,
  POSTE_SESSION_ERROR_NOT_SUPPORTED,
  POSTE_SESSION_ERROR_DELIVERY,
  POSTE_SESSION_ERROR_CONFIG,
} PosteSessionError;

/**
 * POSTE_DELIVERY_ERROR:
 *
 * Errors of the local delivery targets. %POSTE_DELIVERY_ERROR_TEMPORARY is answered with a 4xx
 * reply so that the provider keeps the message; %POSTE_DELIVERY_ERROR_PERMANENT with 5xx.
 */
#define POSTE_DELIVERY_ERROR (poste_delivery_error_quark ())

/**
 * PosteDeliveryError:
 * @POSTE_DELIVERY_ERROR_TEMPORARY: the target could not take the message now (try again later)
 * @POSTE_DELIVERY_ERROR_PERMANENT: the target will never take this message
 * @POSTE_DELIVERY_ERROR_INVALID: the target's specification is not valid
 * @POSTE_DELIVERY_ERROR_SANDBOX: the target cannot work inside this sandbox (Flatpak): a folder
 *   outside the granted ones, a program of the host, a socket the sandbox cannot see
 */
typedef enum {
  POSTE_DELIVERY_ERROR_TEMPORARY,
  POSTE_DELIVERY_ERROR_PERMANENT,
  POSTE_DELIVERY_ERROR_INVALID,
  POSTE_DELIVERY_ERROR_SANDBOX,
} PosteDeliveryError;

/**
 * POSTE_CONFIG_ERROR:
 *
 * Errors in the configuration file. Every message names the file, the line and the key.
 */
#define POSTE_CONFIG_ERROR (poste_config_error_quark ())

/**
 * PosteConfigError:
 * @POSTE_CONFIG_ERROR_PARSE: the file is not a valid keyfile
 * @POSTE_CONFIG_ERROR_UNKNOWN_KEY: a key or group this version does not know
 * @POSTE_CONFIG_ERROR_INVALID_VALUE: a value out of range or of the wrong form
 * @POSTE_CONFIG_ERROR_MISSING_KEY: a required key is absent
 * @POSTE_CONFIG_ERROR_NOT_FOUND: no such provider
 * @POSTE_CONFIG_ERROR_INSECURE: a secret file that others can read
 * @POSTE_CONFIG_ERROR_NO_SECRET: no password is stored for the provider (the keyring answered
 *   and holds none)
 * @POSTE_CONFIG_ERROR_NO_KEYRING: no keyring is running: no Secret Service
 *   (`org.freedesktop.secrets`) on the session bus, or no session bus at all
 * @POSTE_CONFIG_ERROR_KEYRING_LOCKED: the keyring is locked and was not unlocked (nobody was
 *   there to answer its prompt, or the prompt was dismissed); the password may well be there
 * @POSTE_CONFIG_ERROR_KEYRING_TIMEOUT: the Secret Service is on the bus but did not answer in
 *   time
 */
typedef enum {
  POSTE_CONFIG_ERROR_PARSE,
  POSTE_CONFIG_ERROR_UNKNOWN_KEY,
  POSTE_CONFIG_ERROR_INVALID_VALUE,
  POSTE_CONFIG_ERROR_MISSING_KEY,
  POSTE_CONFIG_ERROR_NOT_FOUND,
  POSTE_CONFIG_ERROR_INSECURE,
  POSTE_CONFIG_ERROR_NO_SECRET,
  POSTE_CONFIG_ERROR_NO_KEYRING,
  POSTE_CONFIG_ERROR_KEYRING_LOCKED,
  POSTE_CONFIG_ERROR_KEYRING_TIMEOUT,
} PosteConfigError;

/**
 * POSTE_OUTBOX_ERROR:
 *
 * The error domain of the outbox (#PosteOutboxError).
 */
#define POSTE_OUTBOX_ERROR (poste_outbox_error_quark ())

/**
 * PosteOutboxError:
 * @POSTE_OUTBOX_ERROR_INVALID: an address or an argument is not acceptable
 * @POSTE_OUTBOX_ERROR_TOO_BIG: the message is larger than %POSTE_OUTBOX_MAX_MESSAGE_SIZE
 * @POSTE_OUTBOX_ERROR_NOT_FOUND: no queued message has that identifier
 * @POSTE_OUTBOX_ERROR_CORRUPT: a queued envelope cannot be read
 * @POSTE_OUTBOX_ERROR_NO_SUBMISSION: the provider has no `submission=` server
 * @POSTE_OUTBOX_ERROR_BOUNCED: the provider's relay refused messages for good; they were
 *   returned to their senders (or could not be: see each message's last error)
 * @POSTE_OUTBOX_ERROR_BUSY: another process is submitting this outbox right now
 * @POSTE_OUTBOX_ERROR_SUBMISSION: a fetch round's submission failed as a whole (the relay could
 *   not be reached, TLS or AUTH failed): the messages stay queued; the message says why
 *
 * Errors of the outbox. I/O errors keep their #GIOError domain.
 */
typedef enum {
  POSTE_OUTBOX_ERROR_INVALID,
  POSTE_OUTBOX_ERROR_TOO_BIG,
  POSTE_OUTBOX_ERROR_NOT_FOUND,
  POSTE_OUTBOX_ERROR_CORRUPT,
  POSTE_OUTBOX_ERROR_NO_SUBMISSION,
  POSTE_OUTBOX_ERROR_BOUNCED,
  POSTE_OUTBOX_ERROR_BUSY,
  POSTE_OUTBOX_ERROR_SUBMISSION,
} PosteOutboxError;


GQuark poste_protocol_error_quark (void);
GQuark poste_session_error_quark  (void);
GQuark poste_delivery_error_quark (void);
GQuark poste_config_error_quark   (void);
GQuark poste_outbox_error_quark   (void);

/**
 * PosteExitStatus:
 *
 * The command-line tool's exit statuses, fetchmail's convention, which scripts already know.
 */
typedef enum {
  POSTE_EXIT_MAIL = 0,
  POSTE_EXIT_NO_MAIL = 1,
  POSTE_EXIT_NETWORK = 2,
  POSTE_EXIT_AUTH = 3,
  POSTE_EXIT_PROTOCOL = 4,
  POSTE_EXIT_USAGE = 5,
  POSTE_EXIT_REFUSED = 7,
  POSTE_EXIT_DELIVERY = 10,
} PosteExitStatus;

PosteExitStatus poste_exit_status_for_error (const GError *error);

/**
 * PosteErrorKind:
 * @POSTE_ERROR_KIND_NONE: no error, or the user stopped the fetch: nothing to tell, no backoff
 * @POSTE_ERROR_KIND_TRANSIENT: the network, a timeout, a provider that misbehaved once: try again
 *   with the usual backoff; worth telling the user only when it persists
 * @POSTE_ERROR_KIND_BUSY: the provider asked for time (450 or 451 to ATRN, RFC 2645 section 5):
 *   back off longer
 * @POSTE_ERROR_KIND_AUTH: the credentials, or no password at all: the user must act; no automatic
 *   retry until the configuration changes (a retry would only lock the account)
 * @POSTE_ERROR_KIND_CERTIFICATE: the provider's certificate is not trusted: the user must decide
 * @POSTE_ERROR_KIND_CONFIG: the configuration (or the provider's setup) does not allow a fetch:
 *   the user must act
 * @POSTE_ERROR_KIND_DELIVERY: the local delivery target failed (the provider keeps the mail):
 *   the user must look at the target; retried with the usual backoff
 *
 * What an error means for the people and programs that react to it: the one classification that
 * the command line's exit status, the scheduler's backoff and the notifications all follow.
 */
typedef enum {
  POSTE_ERROR_KIND_NONE,
  POSTE_ERROR_KIND_TRANSIENT,
  POSTE_ERROR_KIND_BUSY,
  POSTE_ERROR_KIND_AUTH,
  POSTE_ERROR_KIND_CERTIFICATE,
  POSTE_ERROR_KIND_CONFIG,
  POSTE_ERROR_KIND_DELIVERY,
} PosteErrorKind;

PosteErrorKind  poste_error_get_kind           (const GError   *error);
gboolean        poste_error_kind_needs_user    (PosteErrorKind  kind);
gboolean        poste_error_is_keyring_locked  (const GError   *error);

G_END_DECLS
