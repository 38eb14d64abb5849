/* poste-test-provider.h: the provider side of ODMR (RFC 2645), for tests, the demo and benchmarks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * PosteTestTls:
 * @POSTE_TEST_TLS_NONE: plain text only
 * @POSTE_TEST_TLS_STARTTLS: plain text, STARTTLS advertised (RFC 3207)
 * @POSTE_TEST_TLS_IMPLICIT: TLS from the first byte (port 465 style, RFC 8314)
 */
typedef enum {
  POSTE_TEST_TLS_NONE,
  POSTE_TEST_TLS_STARTTLS,
  POSTE_TEST_TLS_IMPLICIT,
} PosteTestTls;

/**
 * PosteTestMessage:
 * @sender: the envelope sender (may be "" for the null sender)
 * @recipients: (element-type utf8): the envelope recipients still to deliver
 * @data: the message content as spooled: CRLF line ends, not dot-stuffed; %NULL when the message
 *   is streamed from @path
 * @path: (nullable): a file holding the message, streamed from disk (the standalone tool's
 *   --spool), or %NULL
 *
 * A spooled or accepted message. Reference counted: poste_test_message_ref() and
 * poste_test_message_unref().
 */
typedef struct {
  char *sender;
  GPtrArray *recipients;
  GBytes *data;
  char *path;
} PosteTestMessage;

PosteTestMessage *poste_test_message_ref   (PosteTestMessage *message);
void              poste_test_message_unref (PosteTestMessage *message);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosteTestMessage, poste_test_message_unref)

#define POSTE_TYPE_TEST_PROVIDER (poste_test_provider_get_type ())
G_DECLARE_FINAL_TYPE (PosteTestProvider, poste_test_provider, POSTE, TEST_PROVIDER, GObject)

/*
 * Faults, for poste_test_provider_set_faults(): a space-separated list of
 *
 *   atrn-reply=CODE[:TEXT]   answer ATRN with CODE (and TEXT, "_" standing for spaces) instead
 *                            of the real answer; a 250 still turns around
 *   atrn-multiline           the ATRN reply (real or scripted) is multi-line
 *   etrn-reply=CODE[:TEXT]   answer every ETRN with CODE (and TEXT, "_" standing for spaces);
 *                            without it ETRN (RFC 1985) answers 253 (N messages, started), 251
 *                            (none waiting), 459 (not a domain of the account), 501 (syntax) or
 *                            530 (not authenticated), and the spool stays as it is
 *   drop=STAGE               close the connection at STAGE, one of: greeting, ehlo, starttls,
 *                            handshake, auth, atrn, turn (right after our 250 to ATRN, without
 *                            reading the customer's 220), our-220 (after receiving the
 *                            customer's 220 in the reversed session), mail (after sending MAIL), rcpt (after
 *                            the first RCPT), data (after DATA, before its 354; before the first
 *                            BDAT chunk), after-250 (after the
 *                            customer's 250 to the end of DATA, before recording the message as
 *                            accepted: the duplicate case), quit (before our QUIT at the end of
 *                            the reversed session). A drop in the reversed state keeps the
 *                            message in the spool.
 *   drop-in-data=OFFSET      close after sending OFFSET bytes of the message content as sent
 *                            (after dot-stuffing; BDAT chunk data with bdat)
 *   silent-in-data=OFFSET    stop talking after sending OFFSET bytes of the message content, keep
 *                            the socket open (a message caught half-way, for as long as needed)
 *   silent=STAGE             at STAGE (same names as drop=) stop talking, keep the socket open
 *   slow-lines=MS            sleep MS milliseconds before every reply or command we send (not
 *                            before message content)
 *   inject-after-starttls    send "250 injected\r\n" right after STARTTLS's 220, in the same write
 *   no-starttls              do not advertise STARTTLS even in STARTTLS mode
 *   starttls-reply=CODE      answer STARTTLS with CODE (e.g. 454) and stay in plain text
 *   mechanisms=LIST          what AUTH advertises, comma-separated (e.g. "CRAM-MD5,PLAIN"); the
 *                            default is SCRAM-SHA-256,SCRAM-SHA-1,CRAM-MD5,PLAIN,LOGIN; also
 *                            SCRAM-SHA-256-PLUS and SCRAM-SHA-1-PLUS (offered inside TLS, with
 *                            tls-exporter or tls-unique channel binding) and EXTERNAL (offered
 *                            when the customer presented a client certificate; its subject CN
 *                            names the account). PLAIN and LOGIN are offered only inside TLS.
 *   plain-auth-in-clear      allow PLAIN and LOGIN without TLS
 *   bare-lf                  every message's DATA starts with the header line "X-Bare-LF: yes"
 *                            ended by a bare LF
 *   long-line=N              every message's DATA starts with an "X-Long: xxx..." header line
 *                            of N bytes (without its CR LF)
 *   nul                      every message's DATA starts with the header line "X-NUL: a<NUL>b"
 *   reply-long-line          the EHLO reply carries an over-long line (2000 bytes)
 *   reply-endless-multiline  the EHLO reply never ends (continuation lines until the peer gives up)
 *   reply-code-change        the EHLO reply changes its code in the middle of a multi-line reply
 *   junk-334                 the AUTH challenge is not valid base64
 *   pipelining               use PIPELINING in the reversed session if the customer advertises it
 *                            (the default)
 *   no-pipelining            never pipeline
 *   bdat                     use BDAT (RFC 3030) if the customer advertises CHUNKING
 *   size                     MAIL FROM carries SIZE= (RFC 1870), the spooled message's length
 *                            plus huge=
 *   ehlo-quit                on turn-around, EHLO then QUIT: deliver nothing
 *   raw                      poste_test_provider_add_message() keeps the data as given
 *   any-recipient            in the reversed session, send RCPT for every recipient of a message,
 *                            not only those in the session's domains (a provider trying to relay)
 *   scram-iterations=N       SCRAM's server-first message asks for N iterations (the default is
 *                            libgsasl's 4096)
 *   huge=BYTES               append filler lines (76 bytes each) to every message's DATA until at
 *                            least BYTES more were sent, generated while sending (the accepted
 *                            record keeps the message as spooled, without them)
 *   cram-challenge=TEXT      CRAM-MD5 uses this fixed challenge (RFC 2195's example is
 *                            "<1896.697170952@postoffice.reston.mci.net>")
 *
 * What real providers do (stock Exim 4.99.1 among them):
 *   per-session=N            hand over at most N messages (answered 250) a session, then a clean
 *                            QUIT; the rest stays spooled for the next session (Exim over TLS: 1)
 *   bdat-short               with bdat, the LAST chunk is declared one octet short: it ends in CR
 *                            and its LF follows as a stray line (whose reply is read and ignored)
 *   tls-plain-quit           with nothing to deliver, ATRN still gets 250; after the customer's
 *                            220, "QUIT" CR LF is written in plain text on the socket under TLS
 *   quit-after-4xx           a 4xx to a RCPT ends the session: QUIT at once (no RSET, no other
 *                            message), the rest stays spooled
 *   atrn-needs-domains       a bare ATRN (no domains) gets 501 5.5.4
 *   return-5xx               a 5xx to MAIL or to the end of a message returns it to its sender
 *                            (it leaves the spool, see poste_test_provider_dup_returned()); without
 *                            it such a message stays spooled. A 5xx to a RCPT always returns that
 *                            recipient's copy.
 *
 * In submission mode (poste_test_provider_set_submission()):
 *   submit-mail=CODE         answer every MAIL with CODE (e.g. 451, 550)
 *   submit-rcpt=CODE[:ADDR]  answer every RCPT (or only the one for ADDR) with CODE (a reply of
 *                            two lines)
 *   submit-data=CODE         answer every DATA with CODE instead of 354
 *   submit-end=CODE          answer the end of every message's DATA with CODE (the message is
 *                            then not recorded as accepted)
 *
 * Unknown fault names fail with G_IO_ERROR_INVALID_ARGUMENT.
 */

PosteTestProvider *poste_test_provider_new             (void);
PosteTestProvider *poste_test_provider_new_holding_one (GTlsCertificate      *certificate,
                                                        const char           *user,
                                                        const char           *password,
                                                        const char * const   *domains);
void               poste_test_provider_set_tls         (PosteTestProvider    *self,
                                                        PosteTestTls          mode,
                                                        GTlsCertificate      *certificate);
void               poste_test_provider_set_submission  (PosteTestProvider    *self,
                                                        gboolean              submission);
void               poste_test_provider_set_hostname    (PosteTestProvider    *self,
                                                        const char           *hostname);
void               poste_test_provider_add_account     (PosteTestProvider    *self,
                                                        const char           *user,
                                                        const char           *password,
                                                        const char * const   *domains);
void               poste_test_provider_add_message     (PosteTestProvider    *self,
                                                        const char           *sender,
                                                        const char * const   *recipients,
                                                        const char           *data,
                                                        gssize                length);
void               poste_test_provider_add_message_file (PosteTestProvider   *self,
                                                        const char           *sender,
                                                        const char * const   *recipients,
                                                        const char           *path);
guint              poste_test_provider_count_spooled   (PosteTestProvider    *self);
GPtrArray         *poste_test_provider_dup_accepted    (PosteTestProvider    *self);
GPtrArray         *poste_test_provider_dup_returned    (PosteTestProvider    *self);
gboolean           poste_test_provider_set_faults      (PosteTestProvider    *self,
                                                        const char           *spec,
                                                        GError              **error);
void               poste_test_provider_set_timeout     (PosteTestProvider    *self,
                                                        guint                 seconds);
void               poste_test_provider_set_port        (PosteTestProvider    *self,
                                                        guint16               port);
void               poste_test_provider_set_ipv6        (PosteTestProvider    *self,
                                                        gboolean              ipv6);
guint16            poste_test_provider_start           (PosteTestProvider    *self,
                                                        GError              **error);
guint16            poste_test_provider_get_port        (PosteTestProvider    *self);
void               poste_test_provider_stop            (PosteTestProvider    *self);
guint              poste_test_provider_get_sessions    (PosteTestProvider    *self);
gboolean           poste_test_provider_wait_sessions   (PosteTestProvider    *self,
                                                        guint                 sessions,
                                                        guint                 timeout_seconds);
char              *poste_test_provider_dup_transcript  (PosteTestProvider    *self);

G_END_DECLS
