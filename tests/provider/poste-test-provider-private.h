/* poste-test-provider-private.h: what the test provider's rooms share: state, session, faults
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The tp_ functions are the provider's own, shared between its files and used nowhere else.
 */
#pragma once

#include <gsasl.h>

#include "poste-test-provider.h"
#include "poste-test-wire.h"

G_BEGIN_DECLS

/* RFC 4954 section 4: a SASL line may be 12288 octets; commands are far shorter. */
#define MAX_COMMAND_LINE   12288
#define MAX_BAD_COMMANDS   20
#define DEFAULT_TIMEOUT    30
#define MAX_SUBMITTED_SIZE (128 * 1024 * 1024)
#define CHUNK_SIZE         (64 * 1024)
#define DEFAULT_MECHANISMS "SCRAM-SHA-256,SCRAM-SHA-1,CRAM-MD5,PLAIN,LOGIN"

/* The session's stages, in order: the names are those of the drop= and silent= faults. */
typedef enum {
  STAGE_NONE = -1,
  STAGE_GREETING = 0,
  STAGE_EHLO,
  STAGE_STARTTLS,
  STAGE_HANDSHAKE,
  STAGE_AUTH,
  STAGE_ATRN,
  STAGE_TURN,
  STAGE_OUR_220,
  STAGE_MAIL,
  STAGE_RCPT,
  STAGE_DATA,
  STAGE_AFTER_250,
  STAGE_QUIT,
  N_STAGES
} Stage;

typedef struct {
  guint     atrn_code;
  char     *atrn_text;
  gboolean  atrn_multiline;
  Stage     drop;
  Stage     silent;
  gint64    drop_in_data;
  gint64    silent_in_data;
  guint     slow_ms;
  gboolean  inject_after_starttls;
  gboolean  no_starttls;
  guint     starttls_code;
  char    **mechanisms;
  gboolean  plain_in_clear;
  gboolean  bare_lf;
  gsize     long_line;
  gboolean  nul;
  gboolean  reply_long_line;
  gboolean  reply_endless;
  gboolean  reply_code_change;
  gboolean  junk_334;
  gboolean  pipelining;
  gboolean  bdat;
  gboolean  size;
  gboolean  ehlo_quit;
  gboolean  raw;
  gboolean  any_recipient;
  guint64   scram_iterations;
  guint64   huge;
  char     *cram_challenge;
  guint     per_session;      /* 0: no limit */
  gboolean  bdat_short;
  gboolean  tls_plain_quit;
  gboolean  quit_after_4xx;
  gboolean  atrn_needs_domains;
  gboolean  return_5xx;
  guint     etrn_code;
  char     *etrn_text;
  guint     submit_mail;   /* submission mode: the reply to MAIL, RCPT, DATA, the final dot */
  guint     submit_rcpt;
  char     *submit_rcpt_for;
  guint     submit_data;
  guint     submit_end;
} Faults;

typedef struct {
  char  *user;
  char  *password;
  char **domains;
} Account;

typedef struct {
  PosteTestMessage pub;
  gatomicrefcount  ref_count;
} Message;

struct _PosteTestProvider
{
  GObject            parent_instance;

  GMutex             lock;
  GCond              cond;

  PosteTestTls       tls_mode;
  GTlsCertificate   *certificate;
  char              *hostname;
  guint16            port;
  gboolean           ipv6;
  guint              timeout;
  Faults             faults;

  GPtrArray         *accounts;   /* Account*, never removed while running */
  GPtrArray         *spool;      /* PosteTestMessage* (Message) */
  GPtrArray         *accepted;   /* PosteTestMessage* */
  GPtrArray         *returned;   /* PosteTestMessage*: refused with 5xx, back to the sender */
  GString           *transcript; /* the current or last session */
  guint              sessions;
  gboolean           submission; /* RFC 6409 submission instead of ODMR */

  GSocketListener   *listener;
  GThread           *thread;
  GCancellable      *cancellable;
  Gsasl             *gsasl;
};

typedef struct {
  PosteTestProvider *provider;
  PosteTestWire     *conn;
  GSocketConnection *socket;            /* under TLS, for tls-plain-quit */
  GCancellable      *cancellable;
  Stage              stage;
  guint              handed_over;       /* messages answered 250 in this session */
  gboolean           quit_now;          /* quit-after-4xx: a recipient got 4xx */
  gboolean           tls_active;
  gboolean           closed;
  const Account     *account;
  char             **domains;    /* what ATRN asked for */
  gboolean           peer_pipelining;
  gboolean           peer_chunking;
  gboolean           peer_8bitmime;
  GTlsCertificate   *peer_certificate;  /* the client certificate, for EXTERNAL */
  char              *external_user;     /* who EXTERNAL authenticated */
  char              *cb_exporter;       /* channel bindings, base64 (RFC 9266, RFC 5929) */
  char              *cb_unique;
  char              *mail_from;         /* submission mode: the transaction */
  GPtrArray         *rcpt_to;
} Session;

/* The names of the stages, as the drop= and silent= faults write them. */
extern const char * const tp_stage_names[N_STAGES];

/* poste-test-provider.c */
const char       *tp_address_domain    (const char *address);
gboolean          tp_domain_in         (const char          *domain,
                                        const char * const  *domains);
PosteTestMessage *tp_message_new       (const char          *sender,
                                        GPtrArray           *recipients,
                                        GBytes              *data,
                                        const char          *path);

/* poste-test-provider-faults.c */
void              tp_faults_clear      (Faults *f);
gboolean          tp_faults_parse      (Faults      *f,
                                        const char  *spec,
                                        GError     **error);

/* poste-test-provider-session.c */
void              tp_transcript_add    (Session    *s,
                                        const char *prefix,
                                        const char *text,
                                        gssize      length);
void              tp_session_fail      (Session      *s,
                                        const GError *error);
gboolean          tp_send_raw          (Session    *s,
                                        const char *data,
                                        gsize       length);
gboolean          tp_send_line         (Session    *s,
                                        const char *format,
                                        ...) G_GNUC_PRINTF (2, 3);
gboolean          tp_send_reply        (Session            *s,
                                        guint               code,
                                        const char * const *lines);
char             *tp_read_command      (Session *s,
                                        gboolean secret);
PosteTestReply   *tp_read_reply        (Session *s);
void              tp_go_silent         (Session *s);
void              tp_close_now         (Session *s);
gboolean          tp_enter_stage       (Session *s,
                                        Stage    stage);
void              tp_serve             (PosteTestProvider *self,
                                        GSocketConnection *connection);
gpointer          tp_serve_thread      (gpointer data);

/* poste-test-provider-client.c */
int               tp_sasl_callback     (Gsasl          *ctx,
                                        Gsasl_session  *sctx,
                                        Gsasl_property  prop);
guint             tp_count_for_domains (PosteTestProvider  *self,
                                        const char * const *domains);
gboolean          tp_handle_auth       (Session    *s,
                                        const char *args);
gboolean          tp_send_ehlo_reply   (Session    *s,
                                        const char *verb);
gboolean          tp_start_tls         (Session *s);
gboolean          tp_handle_starttls   (Session *s);
gboolean          tp_handle_atrn       (Session    *s,
                                        const char *args,
                                        gboolean   *turn);
gboolean          tp_handle_etrn       (Session    *s,
                                        const char *args);
void              tp_client_phase      (Session *s);

/* poste-test-provider-reversed.c */
void              tp_reversed_session  (Session *s);

/* poste-test-provider-submission.c */
gboolean          tp_handle_submission (Session    *s,
                                        const char *verb,
                                        const char *args);

G_END_DECLS
