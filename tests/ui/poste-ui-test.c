/* poste-ui-test.c: what the UI test programs share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include <adwaita.h>

#include "poste-test.h"
#include "poste-ui-test.h"

/* The system's data directories, as they were before G_TEST_OPTION_ISOLATE_DIRS hid them. */
static GStrv system_data_dirs;

/* The helpers below were first written in test-window.c. */

/**
 * poste_ui_test_init:
 * @argc: the program's argc
 * @argv: the program's argv
 * @name: the test program's name, for its keyring file
 *
 * poste_test_init(), plus what a GTK test needs on top of it, before GTK starts:
 * - the system's shared MIME database: GTK picks the loader for an SVG icon by the data's MIME
 *   type, and G_TEST_OPTION_ISOLATE_DIRS hides XDG_DATA_DIRS;
 * - GTK's test accessibility backend, which keeps every accessible property with no bus;
 * - libsecret's file backend in the build tree, instead of a keyring daemon that the private
 *   session bus would start (and that would prompt).
 */
void
poste_ui_test_init (int          *argc,
                    char       ***argv,
                    const char   *name)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) mime_dirs = NULL;
  g_autofree char *keyring_dir = NULL;
  g_autofree char *keyring_file = NULL;
  g_autofree char *keyring = NULL;

  for (const char * const *dir = g_get_system_data_dirs (); *dir != NULL; dir++)
    {
      g_autofree char *mime_dir = g_build_filename (*dir, "mime", NULL);

      g_strv_builder_add (builder, mime_dir);
    }
  mime_dirs = g_strv_builder_end (builder);
  g_clear_pointer (&system_data_dirs, g_strfreev);
  system_data_dirs = g_strdupv ((char **)g_get_system_data_dirs ());

  poste_test_init (argc, argv);

  g_content_type_set_mime_dirs ((const char * const *)mime_dirs);
  g_setenv ("GTK_A11Y", "test", TRUE);

  keyring_dir = g_build_filename (poste_test_build_root (), "tests", "ui", "keyring", NULL);
  g_assert_cmpint (g_mkdir_with_parents (keyring_dir, 0700), ==, 0);
  keyring_file = g_strconcat (name, ".keyring", NULL);
  keyring = g_build_filename (keyring_dir, keyring_file, NULL);
  g_unlink (keyring);
  g_setenv ("SECRET_BACKEND", "file", TRUE);
  g_setenv ("SECRET_FILE_TEST_PATH", keyring, TRUE);
  g_setenv ("SECRET_FILE_TEST_PASSWORD", name, TRUE);
}

/* Each wait of these helpers ends by this deadline, with a message that says what did not
 * happen (not at the suite's timeout, with nothing said). */
#define WAIT_SECONDS 30
#define MAX_RENDER_TRIES 50

static gboolean
deadline_cb (gpointer data)
{
  gboolean *passed = data;

  *passed = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main context until @done says so, at most WAIT_SECONDS. */
void
poste_ui_test_iterate_until (gboolean (*done) (gpointer data),
               gpointer   data)
{
  gboolean passed = FALSE;
  guint timer = g_timeout_add_seconds (WAIT_SECONDS, deadline_cb, &passed);

  while (!done (data))
    {
      if (passed)
        g_error ("the condition waited for did not come true within %u seconds", WAIT_SECONDS);
      g_main_context_iteration (NULL, TRUE);
    }
  if (!passed)
    g_source_remove (timer);
}

/* Dispatches what is ready now, until nothing is; a context that never goes idle within
 * WAIT_SECONDS (a source that keeps itself ready) is a failure. */
void
poste_ui_test_iterate_pending (void)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;

  while (g_main_context_pending (NULL))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("the main context was still busy after %u seconds", WAIT_SECONDS);
      g_main_context_iteration (NULL, FALSE);
    }
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *counter)
{
  (*counter)++;
}

/**
 * poste_ui_test_count_notify:
 * @object: a #GObject
 * @property: the name of one of its properties
 * @counter: (out caller-allocates): where to count, set to 0 now
 *
 * Counts @object's notifications of @property from now on, so that a test can check that a
 * change emits exactly one, and that setting the same value again emits none. @counter must
 * outlive @object, or the handler be disconnected with the id returned.
 *
 * Returns: the handler's id
 */
gulong
poste_ui_test_count_notify (gpointer    object,
                            const char *property,
                            guint      *counter)
{
  g_autofree char *signal = g_strconcat ("notify::", property, NULL);

  g_assert_nonnull (g_object_class_find_property (G_OBJECT_GET_CLASS (object), property));
  *counter = 0;
  return g_signal_connect (object, signal, G_CALLBACK (count_notify_cb), counter);
}

/**
 * poste_ui_test_destroy_and_finalize:
 * @window: a window the test is done with
 *
 * Destroys @window, as closing it does, lets the main loop run what that queued, and checks that
 * nothing kept it alive: a window still referenced then is a leak.
 */
void
poste_ui_test_destroy_and_finalize (GtkWindow *window)
{
  g_assert_true (GTK_IS_WINDOW (window));

  g_object_ref (window);
  gtk_window_destroy (window);
  poste_ui_test_iterate_pending ();
  g_assert_finalize_object (window);
}

static void
count_paint (GdkFrameClock *frame_clock,
             guint         *n_paints)
{
  (*n_paints)++;
}

typedef struct {
  GtkWidget *widget;
  guint      n_paints;
} DrawnWait;

static gboolean
is_mapped_and_painted (gpointer data)
{
  DrawnWait *wait = data;

  return gtk_widget_get_mapped (wait->widget) && wait->n_paints > 0;
}

/* Waits until @window is mapped and its surface has painted a frame since this was called. */
void
poste_ui_test_wait_for_drawn (GtkWindow *window)
{
  DrawnWait wait = { GTK_WIDGET (window), 0 };
  GdkFrameClock *frame_clock;
  GdkSurface *surface;
  gulong handler;

  gtk_widget_realize (GTK_WIDGET (window));
  surface = gtk_native_get_surface (GTK_NATIVE (window));
  g_assert_nonnull (surface);
  frame_clock = gdk_surface_get_frame_clock (surface);
  g_assert_nonnull (frame_clock);

  handler = g_signal_connect (frame_clock, "after-paint", G_CALLBACK (count_paint), &wait.n_paints);
  gtk_widget_queue_draw (GTK_WIDGET (window));
  poste_ui_test_iterate_until (is_mapped_and_painted, &wait);
  g_signal_handler_disconnect (frame_clock, handler);
}

static void
collect_descendants (GtkWidget  *widget,
                     GType       type,
                     GPtrArray  *found)
{
  if (g_type_is_a (G_OBJECT_TYPE (widget), type))
    g_ptr_array_add (found, widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_descendants (child, type, found);
}

GPtrArray *
poste_ui_test_find_descendants (GtkWidget *widget,
                  GType      type)
{
  GPtrArray *found = g_ptr_array_new ();

  collect_descendants (widget, type, found);
  return found;
}

/**
 * poste_ui_test_find_row:
 * @root: where to look
 * @type: an #AdwPreferencesRow type (entry, combo, action, expander row)
 * @title: the row's title
 *
 * Returns: (transfer none) (nullable): the first row below @root that is a @type titled @title,
 *   or %NULL
 */
GtkWidget *
poste_ui_test_find_row (GtkWidget  *root,
                        GType       type,
                        const char *title)
{
  g_autoptr(GPtrArray) rows = poste_ui_test_find_descendants (root, type);

  for (guint i = 0; i < rows->len; i++)
    {
      if (g_strcmp0 (adw_preferences_row_get_title (g_ptr_array_index (rows, i)), title) == 0)
        return g_ptr_array_index (rows, i);
    }

  return NULL;
}

/**
 * poste_ui_test_set_row_text:
 * @root: where to look
 * @title: the title of an #AdwEntryRow below @root
 * @text: what to put in it
 *
 * Types @text into the entry row titled @title; a test without that row stops there (g_error()).
 */
void
poste_ui_test_set_row_text (GtkWidget  *root,
                            const char *title,
                            const char *text)
{
  GtkWidget *row = poste_ui_test_find_row (root, ADW_TYPE_ENTRY_ROW, title);

  if (row == NULL)
    g_error ("no entry row titled “%s”", title);
  gtk_editable_set_text (GTK_EDITABLE (row), text);
}

/**
 * poste_ui_test_find_button:
 * @root: where to look
 * @action_name: the action the button activates
 * @target: (nullable): the string target it activates it with, or %NULL for any target
 *
 * Returns: (transfer none) (nullable): the first button below @root for @action_name (and
 *   @target), or %NULL
 */
GtkWidget *
poste_ui_test_find_button (GtkWidget  *root,
                           const char *action_name,
                           const char *target)
{
  g_autoptr(GPtrArray) buttons = poste_ui_test_find_descendants (root, GTK_TYPE_BUTTON);

  for (guint i = 0; i < buttons->len; i++)
    {
      GtkActionable *button = g_ptr_array_index (buttons, i);
      GVariant *value = gtk_actionable_get_action_target_value (button);

      if (g_strcmp0 (gtk_actionable_get_action_name (button), action_name) != 0)
        continue;
      if (target == NULL ||
          (value != NULL && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING) &&
           g_str_equal (g_variant_get_string (value, NULL), target)))
        return GTK_WIDGET (button);
    }

  return NULL;
}

/**
 * poste_ui_test_find_toplevel:
 * @type: a #GtkWindow type
 *
 * For the windows no application lists (dialogs made transient for one of its windows).
 *
 * Returns: (transfer none) (nullable): the first mapped toplevel that is a @type, or %NULL
 */
GtkWindow *
poste_ui_test_find_toplevel (GType type)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (const GList *iter = toplevels; iter != NULL; iter = iter->next)
    {
      if (g_type_is_a (G_OBJECT_TYPE (iter->data), type) && gtk_widget_get_mapped (iter->data))
        return iter->data;
    }

  return NULL;
}

/**
 * poste_ui_test_toplevel_shown:
 * @data: a #GType, through GSIZE_TO_POINTER()
 *
 * For poste_ui_test_iterate_until(): whether poste_ui_test_find_toplevel() finds one.
 */
gboolean
poste_ui_test_toplevel_shown (gpointer data)
{
  return poste_ui_test_find_toplevel (GPOINTER_TO_SIZE (data)) != NULL;
}

/**
 * poste_ui_test_find_app_window:
 * @app: the application
 * @type: a #GtkWindow type
 *
 * Returns: (transfer none) (nullable): the first of @app's windows that is a @type, or %NULL
 */
GtkWindow *
poste_ui_test_find_app_window (GtkApplication *app,
                               GType           type)
{
  for (const GList *iter = gtk_application_get_windows (app); iter != NULL; iter = iter->next)
    {
      if (g_type_is_a (G_OBJECT_TYPE (iter->data), type))
        return iter->data;
    }

  return NULL;
}

/* Renders @widget the way its window draws it: a snapshot of the widget through a
 * GtkWidgetPaintable, turned into a texture by the window's own GskRenderer. */
GdkTexture *
poste_ui_test_render_widget (GtkWidget *widget)
{
  g_autoptr(GskRenderNode) node = NULL;
  GskRenderer *renderer;
  int width;
  int height;

  /* A widget paintable made while a layout is pending draws nothing: draw a frame and retry
   * (each wait has its deadline, and so has the number of tries). */
  for (guint tries = 0; ; tries++)
    {
      g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
      GtkSnapshot *snapshot = gtk_snapshot_new ();

      width = gtk_widget_get_width (widget);
      height = gtk_widget_get_height (widget);
      g_assert_cmpint (width, >, 0);
      g_assert_cmpint (height, >, 0);

      gdk_paintable_snapshot (paintable, snapshot, width, height);
      if ((node = gtk_snapshot_free_to_node (snapshot)))
        break;
      if (tries == MAX_RENDER_TRIES)
        g_error ("%s drew nothing after %u frames", G_OBJECT_TYPE_NAME (widget), tries);

      poste_ui_test_wait_for_drawn (GTK_WINDOW (gtk_widget_get_root (widget)));
    }

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  g_assert_nonnull (renderer);

  return gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
}

guint
poste_ui_test_count_colours (GdkTexture *texture)
{
  g_autoptr(GHashTable) colours = g_hash_table_new (NULL, NULL);
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  gsize stride = (gsize)width * 4;
  g_autofree guint32 *pixels = g_malloc_n ((gsize)height, stride);

  gdk_texture_download (texture, (guchar *)pixels, stride);

  for (gsize i = 0; i < (gsize)width * height; i++)
    g_hash_table_add (colours, GUINT_TO_POINTER (pixels[i]));

  return g_hash_table_size (colours);
}

/* Saves @texture as <build>/tests/ui/screenshots/@name.png and returns the path. */
char *
poste_ui_test_save_screenshot (GdkTexture *texture,
                 const char *name)
{
  g_autofree char *dir = g_build_filename (poste_test_build_root (), "tests", "ui", "screenshots", NULL);
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  char *path = g_build_filename (dir, file, NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot saved to %s", path);

  return path;
}


/**
 * poste_ui_test_add_system_icons:
 *
 * Adds the system's icon themes (Adwaita's symbolic icons) to the default display's icon theme,
 * as a desktop session has them: the isolated XDG_DATA_DIRS of a test case hides them, and the
 * screenshots would show missing-image icons. Call once GTK is initialised.
 */
void
poste_ui_test_add_system_icons (void)
{
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gdk_display_get_default ());

  g_assert_nonnull (system_data_dirs);
  for (guint i = 0; system_data_dirs[i] != NULL; i++)
    {
      g_autofree char *icons = g_build_filename (system_data_dirs[i], "icons", NULL);

      gtk_icon_theme_add_search_path (theme, icons);
    }
}

/* Accessibility, read through GTK's test backend (GTK_A11Y=test, set by poste_ui_test_init()).
 * GTK 4.8 has no public getter for an accessible property: gtk_test_accessible_check_*() returns
 * the value, printed, whenever it differs from the one asked for, so asking for a value no
 * widget has reads it back. */
#define UNLIKELY_VALUE "\x01poste-ui-test\x01"

/**
 * poste_ui_test_accessible_property:
 * @widget: a widget
 * @property: a string property (label, description, value text, placeholder)
 *
 * Returns: (transfer full) (nullable): @property's value, or %NULL when @widget does not have it
 */
char *
poste_ui_test_accessible_property (GtkWidget             *widget,
                                   GtkAccessibleProperty  property)
{
  char *value;

  if (!gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget), property))
    return NULL;
  value = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget), property, UNLIKELY_VALUE);
  g_assert_nonnull (value);
  return value;
}

/**
 * poste_ui_test_accessible_relation:
 * @widget: a widget
 * @relation: a reference list relation (labelled by, described by, controls)
 * @candidates: the widgets that may be targets, such as every widget of @widget's window
 *
 * Returns: (transfer container) (element-type GtkWidget): the targets of @relation, in order
 */
GPtrArray *
poste_ui_test_accessible_relation (GtkWidget             *widget,
                                   GtkAccessibleRelation  relation,
                                   GPtrArray             *candidates)
{
  GPtrArray *targets = g_ptr_array_new ();
  g_autofree char *printed = NULL;
  const char *p;

  if (!gtk_test_accessible_has_relation (GTK_ACCESSIBLE (widget), relation))
    return targets;

  /* A reference list prints as "GtkLabel<0x...>GtkImage<0x...>": a pointer is only compared
   * with the candidates' addresses, never followed. */
  printed = gtk_test_accessible_check_relation (GTK_ACCESSIBLE (widget), relation, NULL);
  g_assert_nonnull (printed);
  for (p = strchr (printed, '<'); p != NULL; p = strchr (p + 1, '<'))
    {
      gpointer address = NULL;

      if (sscanf (p + 1, "%p", &address) != 1)
        continue;
      for (guint i = 0; i < candidates->len; i++)
        if (g_ptr_array_index (candidates, i) == address)
          g_ptr_array_add (targets, address);
    }
  return targets;
}

/**
 * poste_ui_test_accessible_name:
 * @widget: a widget of a window
 *
 * Computes @widget's accessible name as GTK 4.8 gives it to AT-SPI (gtk_at_context_get_name()):
 * its own label property, then the label property of each widget it is labelled by, joined by
 * spaces.
 *
 * Returns: (transfer full): the name, "" when it has none
 */
char *
poste_ui_test_accessible_name (GtkWidget *widget)
{
  g_autoptr(GPtrArray) all = poste_ui_test_find_descendants (GTK_WIDGET (gtk_widget_get_root (widget)),
                                                             GTK_TYPE_WIDGET);
  g_autoptr(GPtrArray) labelled_by = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *own = poste_ui_test_accessible_property (widget, GTK_ACCESSIBLE_PROPERTY_LABEL);
  g_auto(GStrv) names = NULL;

  if (own != NULL)
    g_strv_builder_add (builder, own);
  labelled_by = poste_ui_test_accessible_relation (widget, GTK_ACCESSIBLE_RELATION_LABELLED_BY, all);
  for (guint i = 0; i < labelled_by->len; i++)
    {
      g_autofree char *label = poste_ui_test_accessible_property (g_ptr_array_index (labelled_by, i),
                                                                  GTK_ACCESSIBLE_PROPERTY_LABEL);

      if (label != NULL)
        g_strv_builder_add (builder, label);
    }
  names = g_strv_builder_end (builder);
  return g_strjoinv (" ", names);
}

/**
 * poste_ui_test_accessible_state_is:
 * @widget: a widget
 * @state: a boolean or tristate state (hidden, expanded, checked, invalid)
 * @value: the value to compare with (%TRUE, or a #GtkAccessibleInvalidState)
 *
 * Returns: whether @widget has @state set to @value
 */
gboolean
poste_ui_test_accessible_state_is (GtkWidget          *widget,
                                   GtkAccessibleState  state,
                                   int                 value)
{
  g_autofree char *differs = NULL;

  if (!gtk_test_accessible_has_state (GTK_ACCESSIBLE (widget), state))
    return FALSE;
  differs = gtk_test_accessible_check_state (GTK_ACCESSIBLE (widget), state, value);
  return differs == NULL;
}
