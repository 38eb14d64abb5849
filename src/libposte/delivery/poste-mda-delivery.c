/* poste-mda-delivery.c: delivery through a mail delivery agent program
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The MDA runs from an argument vector, never through a shell. "%F" in an argument becomes the
 * envelope sender, "%T" the recipient, "%%" a '%'. Every address valid under RFC 5321 section
 * 4.1.2 passes as one whole argument, whatever characters it holds ("o'brien@", "u&co@",
 * "\"john smith\"@"): there is no shell to interpret them. Only an address that could be
 * mistaken for an option (a leading '-') or that carries control characters is refused
 * (_poste_address_is_safe_argument ()), and never passed at all. That refusal is 451 (4.1.7 for
 * the sender, 4.1.3 for a recipient), not 5xx: the address may be valid, and it is this local
 * target that cannot take it, so the provider keeps the mail and the user hears of a local
 * failure (another target, a route, can take it), as with any local doubt.
 *
 * With "%T" a transaction has one recipient (get_max_recipients () is 1, the next RCPT gets 452
 * and the provider sends it again in another transaction), so the MDA's exit status is exactly
 * that recipient's verdict.
 *
 * The message reaches the MDA's standard input with LF line ends. It is first spooled to an
 * unlinked temporary file, and the MDA starts at the end of DATA with that file as its standard
 * input: an MDA fed while DATA is still arriving would see a plain end of file if the provider's
 * connection broke, and deliver a truncated message. The MDA reads its input as a stream all the
 * same (a file, not a pipe: it may even seek).
 *
 * The environment is minimal (PATH, HOME, USER, LOGNAME, and SENDER and RECIPIENT for scripts);
 * the working folder is "/"; standard output and error are kept, up to MAX_OUTPUT octets, for the
 * reply's text; a run longer than the timeout is killed (SIGKILL) and answered with 451.
 *
 * Exit statuses, after <sysexits.h> and Postfix's sys_exits.c, except that a status that points
 * at a local fault which the user can repair stays temporary, so the provider keeps the mail:
 *   0 EX_OK           250 2.0.0
 *   65 EX_DATAERR     554 5.6.0   the message itself is refused
 *   67 EX_NOUSER      550 5.1.1   no such user
 *   68 EX_NOHOST      550 5.1.2   no such host
 *   77 EX_NOPERM      550 5.7.0   refused by policy
 *   75 EX_TEMPFAIL    451 4.3.0
 *   71 EX_OSERR       451 4.3.0
 *   73 EX_CANTCREAT   452 4.2.2   mailbox not writable or full: 4.2.2 "mailbox full"
 *   64 EX_USAGE, 66 EX_NOINPUT, 69 EX_UNAVAILABLE, 70 EX_SOFTWARE, 72 EX_OSFILE, 74 EX_IOERR,
 *   76 EX_PROTOCOL, 78 EX_CONFIG, any other status, a signal, a timeout:
 *                     451 4.3.0 (4.3.5 for EX_USAGE and EX_CONFIG, "system incorrectly configured")
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <glib-unix.h>

#include "poste-delivery-private.h"
#include "poste-error.h"
#include "poste-mda-delivery.h"
#include "poste-reply.h"

#define MAX_OUTPUT 1024
#define FLUSH_SIZE (64 * 1024)
#define OUTPUT_GRACE_MSEC 1000

struct _PosteMdaDelivery
{
  GObject          parent_instance;

  char           **argv;
  guint            timeout;
  gboolean         uses_sender;
  gboolean         uses_recipient;

  /* the open transaction */
  gboolean         open;
  char            *sender;
  GPtrArray       *recipients;
  PosteFileWriter  spool;      /* the message, for the MDA's standard input */
};

static void poste_mda_delivery_iface_init (PosteDeliveryInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PosteMdaDelivery, poste_mda_delivery, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (POSTE_TYPE_DELIVERY,
                                                      poste_mda_delivery_iface_init))

enum {
  PROP_0,
  PROP_ARGV,
  PROP_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static void
reset_transaction (PosteMdaDelivery *self)
{
  self->open = FALSE;
  g_clear_pointer (&self->sender, g_free);
  g_ptr_array_set_size (self->recipients, 0);
  _poste_file_writer_reset (&self->spool);
}

/* Checks the "%" escapes of @arg; notes which addresses it uses. */
static gboolean
check_escapes (const char  *arg,
               gboolean    *uses_sender,
               gboolean    *uses_recipient,
               GError     **error)
{
  for (const char *p = strchr (arg, '%'); p != NULL; p = strchr (p + 2, '%'))
    {
      switch (p[1])
        {
        case 'F':
          *uses_sender = TRUE;
          break;
        case 'T':
          *uses_recipient = TRUE;
          break;
        case '%':
          break;
        default:
          g_set_error (error, POSTE_DELIVERY_ERROR, POSTE_DELIVERY_ERROR_INVALID,
                       _("“%s”: only %%F (sender), %%T (recipient) and %%%% may follow a “%%”"),
                       arg);
          return FALSE;
        }
    }
  return TRUE;
}

static char *
substitute (const char *arg,
            const char *sender,
            const char *recipient)
{
  GString *s = g_string_new (NULL);

  for (const char *p = arg; *p != '\0'; p++)
    {
      if (p[0] == '%' && p[1] == 'F')
        g_string_append (s, sender);
      else if (p[0] == '%' && p[1] == 'T')
        g_string_append (s, recipient);
      else if (p[0] == '%' && p[1] == '%')
        g_string_append_c (s, '%');
      else
        {
          g_string_append_c (s, *p);
          continue;
        }
      p++;
    }
  return g_string_free (s, FALSE);
}

static guint
poste_mda_delivery_get_max_recipients (PosteDelivery *delivery)
{
  return POSTE_MDA_DELIVERY (delivery)->uses_recipient ? 1 : 0;
}

static PosteReply *
poste_mda_delivery_begin (PosteDelivery        *delivery,
                          const PosteEnvelope  *envelope,
                          GCancellable         *cancellable)
{
  PosteMdaDelivery *self = POSTE_MDA_DELIVERY (delivery);
  g_autoptr(GError) error = NULL;
  int spool_fd;

  reset_transaction (self);
  if (self->uses_sender && !_poste_address_is_safe_argument (envelope->sender, TRUE))
    return poste_reply_new (451, "4.1.7",
                            "The sender address starts with '-' or holds control characters, "
                            "which the local MDA cannot take as an argument");

  spool_fd = _poste_open_spool (g_get_tmp_dir (), "poste-mda-", &error);
  if (spool_fd < 0)
    return poste_reply_new (451, "4.3.0", "%s", error->message);
  self->sender = g_strdup (envelope->sender);
  _poste_file_writer_start (&self->spool, spool_fd, FALSE);
  self->open = TRUE;
  return poste_reply_new (250, "2.1.0", "Sender ok");
}

static PosteReply *
poste_mda_delivery_add_recipient (PosteDelivery        *delivery,
                                  const PosteEnvelope  *envelope,
                                  const char           *recipient,
                                  GCancellable         *cancellable)
{
  PosteMdaDelivery *self = POSTE_MDA_DELIVERY (delivery);

  if (!self->open)
    return poste_reply_new (503, "5.5.1", "No transaction");
  if (self->uses_recipient && !_poste_address_is_safe_argument (recipient, FALSE))
    return poste_reply_new (451, "4.1.3",
                            "The recipient address starts with '-' or holds control characters, "
                            "which the local MDA cannot take as an argument");
  if (self->uses_recipient && self->recipients->len >= 1)
    return poste_reply_new (452, "4.5.3", "Too many recipients, send the others separately");
  g_ptr_array_add (self->recipients, g_strdup (recipient));
  return poste_reply_new (250, "2.1.5", "Recipient ok");
}

static gboolean
poste_mda_delivery_write (PosteDelivery  *delivery,
                          const guint8   *data,
                          gsize           length,
                          GCancellable   *cancellable,
                          GError        **error)
{
  PosteMdaDelivery *self = POSTE_MDA_DELIVERY (delivery);

  return _poste_file_writer_write (&self->spool, data, length, error);
}

/**
 * poste_mda_reply_for_exit:
 * @exit_status: the MDA's exit status (0 to 255), or -1 when it was killed by a signal or timed
 *   out
 * @output: (nullable): what the MDA wrote on its standard output and error, for the reply's text
 *
 * Maps an MDA's exit status onto the reply for the end of DATA, after <sysexits.h>: 0 is 250,
 * 75 (EX_TEMPFAIL) is 451, 65, 67, 68 and 77 are permanent (554 5.6.0, 550 5.1.1, 550 5.1.2,
 * 550 5.7.0), 73 (EX_CANTCREAT) is 452 4.2.2, everything else 451 (RFC 3463 for the enhanced
 * codes).
 *
 * Returns: (transfer full): the reply
 */
PosteReply *
poste_mda_reply_for_exit (int         exit_status,
                          const char *output)
{
  g_autofree char *text = NULL;
  g_autofree char *detail = NULL;

  if (output != NULL && *output != '\0')
    {
      g_autofree char *printable = poste_printable (output, -1);

      g_strdelimit (printable, "\r\n\t", ' ');
      detail = g_strdup_printf (": %.200s", g_strstrip (printable));
    }
  else
    detail = g_strdup ("");

  if (exit_status < 0)
    return poste_reply_new (451, "4.3.0", "The local MDA was killed%s", detail);

  text = g_strdup_printf ("The local MDA exited with status %d%s", exit_status, detail);
  switch (exit_status)
    {
    case 0:
      return poste_reply_new (250, "2.0.0", "Message delivered by the local MDA");
    case 65:
      return poste_reply_new (554, "5.6.0", "%s", text);
    case 67:
      return poste_reply_new (550, "5.1.1", "%s", text);
    case 68:
      return poste_reply_new (550, "5.1.2", "%s", text);
    case 77:
      return poste_reply_new (550, "5.7.0", "%s", text);
    case 73:
      return poste_reply_new (452, "4.2.2", "%s", text);
    case 64:
    case 78:
      return poste_reply_new (451, "4.3.5", "%s", text);
    default:
      return poste_reply_new (451, "4.3.0", "%s", text);
    }
}

typedef struct {
  gboolean      exited;
  gboolean      wait_failed;
  gboolean      timed_out;
  gboolean      read_pending;
  gboolean      eof;
  GByteArray   *output;
  GInputStream *stream;
  GCancellable *read_cancellable;
  guint8        chunk[512];
} RunState;

static void start_read (RunState *state);

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  RunState *state = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, NULL);

  state->read_pending = FALSE;
  if (n <= 0)
    {
      state->eof = TRUE;
      return;
    }
  if (state->output->len < MAX_OUTPUT)
    g_byte_array_append (state->output, state->chunk, MIN ((gsize) n, MAX_OUTPUT - state->output->len));
  start_read (state);
}

static void
start_read (RunState *state)
{
  state->read_pending = TRUE;
  g_input_stream_read_async (state->stream, state->chunk, sizeof state->chunk, G_PRIORITY_DEFAULT,
                             state->read_cancellable, read_cb, state);
}

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  RunState *state = user_data;

  if (g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL))
    state->exited = TRUE;
  else
    state->wait_failed = TRUE;
}

static gboolean
flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static char **
make_environment (const char *sender,
                  const char *recipient)
{
  char **env = NULL;
  const char *user = g_get_user_name ();

  env = g_environ_setenv (env, "PATH", "/usr/local/bin:/usr/bin:/bin", TRUE);
  env = g_environ_setenv (env, "HOME", g_get_home_dir (), TRUE);
  env = g_environ_setenv (env, "USER", user, TRUE);
  env = g_environ_setenv (env, "LOGNAME", user, TRUE);
  env = g_environ_setenv (env, "SENDER", sender, TRUE);
  if (recipient != NULL)
    env = g_environ_setenv (env, "RECIPIENT", recipient, TRUE);
  return env;
}

/* In the child, before exec: a process group of its own, so a timeout kills its children too. */
static void
child_setup (gpointer user_data)
{
  setpgid (0, 0);
}

static void
kill_process_group (GSubprocess *process)
{
  const char *identifier = g_subprocess_get_identifier (process);
  pid_t pid = identifier != NULL ? (pid_t) g_ascii_strtoll (identifier, NULL, 10) : 0;

  if (pid > 1)
    kill (-pid, SIGKILL);
  g_subprocess_force_exit (process);
}

/* Runs the MDA once with the spool as its standard input. */
static PosteReply *
run_mda (PosteMdaDelivery *self,
         const char       *recipient,
         GCancellable     *cancellable)
{
  const char *sender = *self->sender != '\0' ? self->sender : "MAILER-DAEMON";
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_auto(GStrv) env = NULL;
  g_autofree char *output = NULL;
  RunState state = { 0 };
  GSource *timeout_source;
  int stdin_fd;
  int exit_status = -1;

  for (guint i = 0; self->argv[i] != NULL; i++)
    g_ptr_array_add (argv, substitute (self->argv[i], sender,
                                       recipient != NULL ? recipient : ""));
  g_ptr_array_add (argv, NULL);

  stdin_fd = fcntl (self->spool.fd, F_DUPFD_CLOEXEC, 3);
  if (stdin_fd < 0 || lseek (stdin_fd, 0, SEEK_SET) < 0)
    {
      int errsv = errno;

      if (stdin_fd >= 0)
        close (stdin_fd);
      return _poste_reply_for_errno (errsv, "%s", _("Could not read the spooled message"));
    }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_MERGE);
  env = make_environment (sender, recipient);
  g_subprocess_launcher_set_environ (launcher, env);
  g_subprocess_launcher_set_cwd (launcher, "/");
  g_subprocess_launcher_take_stdin_fd (launcher, stdin_fd);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);

  g_main_context_push_thread_default (context);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  if (process == NULL)
    {
      g_main_context_pop_thread_default (context);
      g_debug ("mda: %s", error->message);
      return poste_reply_new (451, "4.3.0", "Could not start the local MDA: %s", error->message);
    }

  state.output = g_byte_array_new ();
  state.stream = g_subprocess_get_stdout_pipe (process);
  state.read_cancellable = g_cancellable_new ();
  start_read (&state);
  g_subprocess_wait_async (process, cancellable, wait_cb, &state);

  timeout_source = g_timeout_source_new_seconds (self->timeout);
  g_source_set_callback (timeout_source, flag_cb, &state.timed_out, NULL);
  g_source_attach (timeout_source, context);

  while (!state.exited && !state.wait_failed && !state.timed_out)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (timeout_source);
  g_source_unref (timeout_source);

  if (!state.exited)
    {
      /* Timed out or cancelled: kill it and whatever it started, and reap it. */
      kill_process_group (process);
      g_subprocess_wait (process, NULL, NULL);
    }
  else if (g_subprocess_get_if_exited (process))
    exit_status = g_subprocess_get_exit_status (process);

  /* A little longer for the last of its output (a child of the MDA may hold the pipe). */
  if (!state.eof)
    {
      gboolean grace_over = FALSE;
      GSource *grace = g_timeout_source_new (OUTPUT_GRACE_MSEC);

      g_source_set_callback (grace, flag_cb, &grace_over, NULL);
      g_source_attach (grace, context);
      while (!state.eof && !grace_over)
        g_main_context_iteration (context, TRUE);
      g_source_destroy (grace);
      g_source_unref (grace);
    }
  g_cancellable_cancel (state.read_cancellable);
  while (state.read_pending)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);

  g_byte_array_append (state.output, (const guint8 *) "", 1);
  output = (char *) g_byte_array_free (state.output, FALSE);
  g_object_unref (state.read_cancellable);

  if (state.timed_out)
    {
      g_debug ("mda %s: killed after %u s", self->argv[0], self->timeout);
      return poste_reply_new (451, "4.3.0", "The local MDA did not finish within %u seconds",
                              self->timeout);
    }
  if (!state.exited)
    return poste_reply_new (451, "4.3.0", "Delivery to the local MDA was cancelled");
  g_debug ("mda %s: exit status %d", self->argv[0], exit_status);
  return poste_mda_reply_for_exit (exit_status, output);
}

static PosteReply *
poste_mda_delivery_commit (PosteDelivery *delivery,
                           GCancellable  *cancellable)
{
  PosteMdaDelivery *self = POSTE_MDA_DELIVERY (delivery);
  g_autoptr(GError) error = NULL;
  PosteReply *reply;

  if (!self->open)
    return poste_reply_new (503, "5.5.1", "No transaction");
  if (!_poste_file_writer_finish (&self->spool, &error))
    {
      /* 451 for a full disk too, unlike the Maildir and mbox: the spool is a temporary file,
       * not the mailbox. */
      reply = poste_reply_new (451, "4.3.0", "%s", error->message);
      reset_transaction (self);
      return reply;
    }

  if (self->uses_recipient)
    {
      g_assert (self->recipients->len == 1);
      reply = run_mda (self, g_ptr_array_index (self->recipients, 0), cancellable);
    }
  else
    reply = run_mda (self, NULL, cancellable);

  reset_transaction (self);
  return reply;
}

static void
poste_mda_delivery_abort (PosteDelivery *delivery)
{
  reset_transaction (POSTE_MDA_DELIVERY (delivery));
}

static PosteDeliveryFlags
poste_mda_delivery_get_flags (PosteDelivery *delivery)
{
  return POSTE_DELIVERY_FLAGS_8BITMIME;
}

static void
poste_mda_delivery_iface_init (PosteDeliveryInterface *iface)
{
  iface->get_flags = poste_mda_delivery_get_flags;
  iface->get_max_recipients = poste_mda_delivery_get_max_recipients;
  iface->begin = poste_mda_delivery_begin;
  iface->add_recipient = poste_mda_delivery_add_recipient;
  iface->write = poste_mda_delivery_write;
  iface->commit = poste_mda_delivery_commit;
  iface->abort = poste_mda_delivery_abort;
  iface->close = poste_mda_delivery_abort;
}

static void
poste_mda_delivery_finalize (GObject *object)
{
  PosteMdaDelivery *self = POSTE_MDA_DELIVERY (object);

  reset_transaction (self);
  g_ptr_array_unref (self->recipients);
  _poste_file_writer_clear (&self->spool);
  g_strfreev (self->argv);

  G_OBJECT_CLASS (poste_mda_delivery_parent_class)->finalize (object);
}

static void
poste_mda_delivery_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  PosteMdaDelivery *self = POSTE_MDA_DELIVERY (object);

  switch (prop_id)
    {
    case PROP_ARGV:
      g_value_set_boxed (value, self->argv);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
poste_mda_delivery_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  PosteMdaDelivery *self = POSTE_MDA_DELIVERY (object);

  switch (prop_id)
    {
    case PROP_ARGV:
      self->argv = g_value_dup_boxed (value);
      break;
    case PROP_TIMEOUT:
      poste_mda_delivery_set_timeout (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
poste_mda_delivery_class_init (PosteMdaDeliveryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = poste_mda_delivery_finalize;
  object_class->get_property = poste_mda_delivery_get_property;
  object_class->set_property = poste_mda_delivery_set_property;

  properties[PROP_ARGV] =
    g_param_spec_boxed ("argv", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL, 1, 24 * 3600, POSTE_MDA_DELIVERY_TIMEOUT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
poste_mda_delivery_init (PosteMdaDelivery *self)
{
  self->recipients = g_ptr_array_new_with_free_func (g_free);
  _poste_file_writer_init (&self->spool, FLUSH_SIZE);
  self->timeout = POSTE_MDA_DELIVERY_TIMEOUT;
}

/**
 * poste_mda_delivery_new:
 * @argv: (array zero-terminated=1): the MDA's argument vector; argv[0] an absolute path; "%F"
 *   stands for the sender, "%T" for the recipient, "%%" for '%'
 * @error: return location for a #GError
 *
 * Makes a target that runs a mail delivery agent for each message, without a shell, with the
 * message on its standard input (LF line ends) and maps its exit status with
 * poste_mda_reply_for_exit(). With "%T" each transaction takes one recipient.
 *
 * Returns: (transfer full): a new #PosteDelivery, or %NULL with %POSTE_DELIVERY_ERROR_INVALID
 */
PosteDelivery *
poste_mda_delivery_new (const char * const  *argv,
                        GError             **error)
{
  PosteMdaDelivery *self;
  gboolean uses_sender = FALSE;
  gboolean uses_recipient = FALSE;

  g_return_val_if_fail (argv != NULL, NULL);

  if (argv[0] == NULL || !g_path_is_absolute (argv[0]))
    {
      g_set_error (error, POSTE_DELIVERY_ERROR, POSTE_DELIVERY_ERROR_INVALID,
                   _("The MDA must be given by its absolute path, not “%s”"),
                   argv[0] != NULL ? argv[0] : "");
      return NULL;
    }
  if (strchr (argv[0], '%') != NULL)
    {
      g_set_error (error, POSTE_DELIVERY_ERROR, POSTE_DELIVERY_ERROR_INVALID,
                   _("The MDA’s path “%s” may not contain “%%”"), argv[0]);
      return NULL;
    }
  for (guint i = 1; argv[i] != NULL; i++)
    if (!check_escapes (argv[i], &uses_sender, &uses_recipient, error))
      return NULL;

  self = g_object_new (POSTE_TYPE_MDA_DELIVERY, "argv", argv, NULL);
  self->uses_sender = uses_sender;
  self->uses_recipient = uses_recipient;
  return POSTE_DELIVERY (self);
}

/*
 * _poste_mda_delivery_new_for_command:
 * @command: the part of "mda:COMMAND" after the colon, split like a shell would (quotes and
 *   backslashes) but never run by one
 */
PosteDelivery *
_poste_mda_delivery_new_for_command (const char  *command,
                                     GError     **error)
{
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!g_shell_parse_argv (command, NULL, &argv, &local_error))
    {
      g_set_error (error, POSTE_DELIVERY_ERROR, POSTE_DELIVERY_ERROR_INVALID,
                   _("The MDA command “%s” cannot be split into arguments: %s"), command,
                   local_error->message);
      return NULL;
    }
  if (argv[0][0] == '~')
    {
      g_autofree char *expanded = _poste_delivery_expand_path (argv[0], error);

      if (expanded == NULL)
        return NULL;
      g_free (argv[0]);
      argv[0] = g_steal_pointer (&expanded);
    }
  return poste_mda_delivery_new ((const char * const *) argv, error);
}

/**
 * poste_mda_delivery_get_argv:
 * @self: a #PosteMdaDelivery
 *
 * Returns: (transfer none): the argument vector, before substitution
 */
const char * const *
poste_mda_delivery_get_argv (PosteMdaDelivery *self)
{
  g_return_val_if_fail (POSTE_IS_MDA_DELIVERY (self), NULL);

  return (const char * const *) self->argv;
}

/**
 * poste_mda_delivery_get_timeout:
 * @self: a #PosteMdaDelivery
 *
 * Returns: how long one run may take, in seconds
 */
guint
poste_mda_delivery_get_timeout (PosteMdaDelivery *self)
{
  g_return_val_if_fail (POSTE_IS_MDA_DELIVERY (self), 0);

  return self->timeout;
}

/**
 * poste_mda_delivery_set_timeout:
 * @self: a #PosteMdaDelivery
 * @seconds: how long one run may take before the MDA is killed and 451 answered (at least 1)
 */
void
poste_mda_delivery_set_timeout (PosteMdaDelivery *self,
                                guint             seconds)
{
  g_return_if_fail (POSTE_IS_MDA_DELIVERY (self));
  g_return_if_fail (seconds > 0);

  if (self->timeout == seconds)
    return;
  self->timeout = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEOUT]);
}
