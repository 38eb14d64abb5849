/* poste-accessible.c: what GTK 4.8 and libadwaita 1.2 leave to the application for screen readers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GTK 4.8 builds an accessible name from the widget's own label property followed by the label
 * properties of the widgets it is labelled by, joined by spaces. A GtkButton with a text sets
 * both: its label property to the text as written, mnemonic underscore included, and "labelled
 * by" its label child, whose own label has the underscore removed; so "_Cancel" is read
 * "_Cancel Cancel". An explicit name on a button adds to that instead of replacing it. The
 * helpers here leave one source for each name, and give libadwaita 1.2's rows the states that
 * it does not expose.
 *
 * Entry rows: an AdwEntryRow is in the tree as a text field named by its title (labelled by
 * its title label), in the tab order, and its text and caret are read through the row (GTK's
 * editable delegate). What GTK 4.8 cannot give it is the focus event: the focus goes to the
 * GtkText inside, which has no role, and GTK reports the change on the text's parent, an
 * internal AdwGizmo, as "not focused"; only GTK's own entries (GtkEntry, GtkSpinButton,
 * GtkPasswordEntry) answer for their GtkText, and an application cannot answer for a widget in
 * 4.8 (the GtkAccessible interface is private until GTK 4.10, where libadwaita 1.4's entry rows
 * do it). The workaround, poste_accessible_announce_entry_rows(): when the keyboard brings the
 * focus into a row's text, the row itself holds the focus for one main loop iteration (GTK
 * reports that, with the row's name and role), then hands it back to its text; a screen reader
 * keeps the row as the focus and follows the text typed into it, which GTK reports on the row.
 * A click is left alone, so the cursor lands where the pointer put it.
 */
#include "config.h"

#include "poste-accessible.h"

/**
 * poste_accessible_name_from_label:
 * @button: a #GtkButton with a text label (mnemonic or not)
 *
 * Leaves the label child (whose text has no mnemonic underscore) as the only source of
 * @button's accessible name. Call it again after every gtk_button_set_label().
 */
void
poste_accessible_name_from_label (GtkButton *button)
{
  g_return_if_fail (GTK_IS_BUTTON (button));

  gtk_accessible_reset_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL);
}

/**
 * poste_accessible_name_button:
 * @button: a #GtkButton
 * @name: (not nullable): its accessible name, translated and with no mnemonic
 *
 * Names @button with @name alone: what its child (an icon or a short label) says is dropped
 * from the name, and so is a tooltip that only repeats @name (GTK 4.8 exposes the tooltip as
 * the description, and a screen reader would read the name twice). poste_accessible_fix()
 * leaves @button alone from then on.
 */
void
poste_accessible_name_button (GtkButton  *button,
                              const char *name)
{
  const char *tooltip;

  g_return_if_fail (GTK_IS_BUTTON (button));
  g_return_if_fail (name != NULL);

  g_object_set_data (G_OBJECT (button), "poste-accessible-named", GINT_TO_POINTER (TRUE));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
  tooltip = gtk_widget_get_tooltip_text (GTK_WIDGET (button));
  if (g_strcmp0 (tooltip, name) == 0)
    gtk_accessible_reset_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

static void
rehide (GtkWidget *widget)
{
  /* GTK 4.8 sets the hidden state from the visibility whenever that changes. */
  if (gtk_widget_get_visible (widget))
    gtk_accessible_update_state (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
}

/**
 * poste_accessible_hide:
 * @widget: a decorative widget whose meaning its neighbours already give
 *
 * Hides @widget from the accessibility tree, and keeps it hidden when it is shown again.
 * Widgets made in our code use the presentation role instead; this is for those made inside
 * GTK and libadwaita (a button's icon, a row's arrow), whose role is fixed when they are built.
 */
void
poste_accessible_hide (GtkWidget *widget)
{
  g_return_if_fail (GTK_IS_WIDGET (widget));

  if (g_object_get_data (G_OBJECT (widget), "poste-accessible-hidden") == NULL)
    {
      g_object_set_data (G_OBJECT (widget), "poste-accessible-hidden", GINT_TO_POINTER (TRUE));
      g_signal_connect (widget, "notify::visible", G_CALLBACK (rehide), NULL);
    }
  gtk_accessible_update_state (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
}

/**
 * poste_accessible_name_image:
 * @image: an image that says something its neighbours do not
 * @name: (not nullable): what it says, translated
 *
 * Names @image, and keeps poste_accessible_fix() from hiding it.
 */
void
poste_accessible_name_image (GtkImage   *image,
                             const char *name)
{
  g_return_if_fail (GTK_IS_IMAGE (image));
  g_return_if_fail (name != NULL);

  g_object_set_data (G_OBJECT (image), "poste-accessible-named", GINT_TO_POINTER (TRUE));
  gtk_accessible_update_property (GTK_ACCESSIBLE (image), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
}

static gboolean
is_named (GtkWidget *widget)
{
  return g_object_get_data (G_OBJECT (widget), "poste-accessible-named") != NULL;
}

static gboolean
in_decorated_parent (GtkWidget *image)
{
  for (GtkWidget *ancestor = gtk_widget_get_parent (image);
       ancestor != NULL;
       ancestor = gtk_widget_get_parent (ancestor))
    if (GTK_IS_BUTTON (ancestor) || ADW_IS_PREFERENCES_ROW (ancestor) ||
        ADW_IS_STATUS_PAGE (ancestor))
      return TRUE;
  return FALSE;
}

/**
 * poste_accessible_fix:
 * @root: a window or a part of one, once built
 *
 * Gives every widget under @root that GTK and libadwaita built one source for its name:
 * - a button with a text is named by its label child alone (poste_accessible_name_from_label());
 * - an icon button is named by its tooltip, which is then no longer also its description (a
 *   menu button keeps its explicit name, and loses the description too);
 * - the decorative images GTK and libadwaita make (a button's icon, the icons inside rows and
 *   status pages) are hidden, unless poste_accessible_name_image() named them.
 * Buttons named with poste_accessible_name_button() are left alone. Call it once @root is built,
 * and on each row added later.
 */
void
poste_accessible_fix (GtkWidget *root)
{
  g_return_if_fail (GTK_IS_WIDGET (root));

  if (GTK_IS_BUTTON (root) && !is_named (root))
    {
      const char *tooltip = gtk_widget_get_tooltip_text (root);

      if (gtk_button_get_label (GTK_BUTTON (root)) != NULL)
        poste_accessible_name_from_label (GTK_BUTTON (root));
      else if (tooltip != NULL)
        poste_accessible_name_button (GTK_BUTTON (root), tooltip);
    }
  else if (GTK_IS_MENU_BUTTON (root))
    {
      /* Its inner toggle button is labelled and described by the menu button: by its name
       * twice. */
      GtkWidget *inner = gtk_widget_get_first_child (root);

      gtk_accessible_reset_property (GTK_ACCESSIBLE (root), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
      if (GTK_IS_BUTTON (inner))
        gtk_accessible_reset_relation (GTK_ACCESSIBLE (inner), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY);
    }
  else if (GTK_IS_IMAGE (root) && !is_named (root) && in_decorated_parent (root))
    poste_accessible_hide (root);

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    poste_accessible_fix (child);
}

static GtkWidget *
find_header_row (AdwExpanderRow *row)
{
  /* libadwaita 1.2 draws the expander's title in an AdwActionRow of its own: the row that
   * takes the focus and the click. */
  g_autoptr(GQueue) queue = g_queue_new ();

  g_queue_push_tail (queue, row);
  while (!g_queue_is_empty (queue))
    {
      GtkWidget *widget = g_queue_pop_head (queue);

      if (widget != GTK_WIDGET (row) && ADW_IS_ACTION_ROW (widget))
        return widget;
      for (GtkWidget *child = gtk_widget_get_first_child (widget);
           child != NULL;
           child = gtk_widget_get_next_sibling (child))
        g_queue_push_tail (queue, child);
    }
  return NULL;
}

static void
update_expanded (AdwExpanderRow *row)
{
  GtkWidget *header = g_object_get_data (G_OBJECT (row), "poste-accessible-header");
  gboolean expanded = adw_expander_row_get_expanded (row);

  gtk_accessible_update_state (GTK_ACCESSIBLE (header), GTK_ACCESSIBLE_STATE_EXPANDED, expanded, -1);
}

/**
 * poste_accessible_track_expanded:
 * @row: an #AdwExpanderRow, with its title set
 *
 * libadwaita 1.2 exposes no expanded state on an expander row: gives its header (the focusable
 * row that toggles it) %GTK_ACCESSIBLE_STATE_EXPANDED, kept in step with
 * #AdwExpanderRow:expanded, and names the outer row, which GTK lists as an item of its own, with
 * the title.
 */
void
poste_accessible_track_expanded (AdwExpanderRow *row)
{
  GtkWidget *header;

  g_return_if_fail (ADW_IS_EXPANDER_ROW (row));

  header = find_header_row (row);
  g_return_if_fail (header != NULL);

  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), -1);
  g_object_set_data (G_OBJECT (row), "poste-accessible-header", header);
  g_signal_connect (row, "notify::expanded", G_CALLBACK (update_expanded), NULL);
  update_expanded (row);
}

/**
 * poste_accessible_set_invalid:
 * @widget: a field
 * @message: (nullable): the label that says what is wrong with @widget, or %NULL when it is
 *   valid
 *
 * Marks @widget invalid (%GTK_ACCESSIBLE_STATE_INVALID) and described by @message, or valid
 * and described by nothing of ours when @message is %NULL. The red "error" style is the same
 * news for the eye.
 */
void
poste_accessible_set_invalid (GtkWidget *widget,
                              GtkWidget *message)
{
  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (message == NULL || GTK_IS_WIDGET (message));

  if (message != NULL)
    {
      gtk_widget_add_css_class (widget, "error");
      gtk_accessible_update_state (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_STATE_INVALID,
                                   GTK_ACCESSIBLE_INVALID_TRUE, -1);
      gtk_accessible_update_relation (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY,
                                      message, NULL, -1);
    }
  else
    {
      gtk_widget_remove_css_class (widget, "error");
      gtk_accessible_update_state (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_STATE_INVALID,
                                   GTK_ACCESSIBLE_INVALID_FALSE, -1);
      gtk_accessible_reset_relation (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY);
    }
}

/* Entry rows: see the comment at the top of this file. */

#define KEYBOARD_KEY "poste-accessible-keyboard"
#define BOUNCING_KEY "poste-accessible-bouncing"

static gboolean
navigation_key_cb (GtkEventControllerKey *controller,
                   guint                  keyval,
                   guint                  keycode,
                   GdkModifierType        state,
                   GtkWidget             *root)
{
  gboolean navigation = keyval == GDK_KEY_Tab || keyval == GDK_KEY_ISO_Left_Tab ||
                        keyval == GDK_KEY_KP_Tab || keyval == GDK_KEY_Up ||
                        keyval == GDK_KEY_Down || keyval == GDK_KEY_KP_Up ||
                        keyval == GDK_KEY_KP_Down;

  g_object_set_data (G_OBJECT (root), KEYBOARD_KEY, GINT_TO_POINTER (navigation));
  return GDK_EVENT_PROPAGATE;
}

static void
pointer_pressed_cb (GtkGestureClick *gesture,
                    int              n_press,
                    double           x,
                    double           y,
                    GtkWidget       *root)
{
  g_object_set_data (G_OBJECT (root), KEYBOARD_KEY, GINT_TO_POINTER (FALSE));
}

static gboolean
give_focus_back (gpointer data)
{
  GtkWidget *row = data;

  /* The row hands the focus to its text, which selects it all, as tabbing into an entry does. */
  if (gtk_widget_has_focus (row))
    gtk_widget_grab_focus (row);
  g_object_set_data (G_OBJECT (row), BOUNCING_KEY, NULL);
  g_object_unref (row);
  return G_SOURCE_REMOVE;
}

static gboolean
focus_row (gpointer data)
{
  GtkWidget *row = data;
  GtkWidget *text = g_object_get_data (G_OBJECT (row), "poste-accessible-text");
  GtkRoot *root = gtk_widget_get_root (row);

  /* The row, a named text field in the tree, holds the focus for a moment: GTK reports that
   * to screen readers, which then follow the text typed into it. */
  if (root != NULL && gtk_widget_has_focus (text))
    {
      gtk_root_set_focus (root, row);
      g_idle_add (give_focus_back, g_object_ref (row));
    }
  else
    g_object_set_data (G_OBJECT (row), BOUNCING_KEY, NULL);
  g_object_unref (row);
  return G_SOURCE_REMOVE;
}

static void
text_focus_enter_cb (GtkEventControllerFocus *controller,
                     GtkWidget               *row)
{
  GtkRoot *root = gtk_widget_get_root (row);

  if (root == NULL || g_object_get_data (G_OBJECT (row), BOUNCING_KEY) != NULL ||
      g_object_get_data (G_OBJECT (root), KEYBOARD_KEY) == NULL)
    return;

  g_object_set_data (G_OBJECT (row), BOUNCING_KEY, GINT_TO_POINTER (TRUE));
  g_idle_add (focus_row, g_object_ref (row));
}

static GtkWidget *
find_text (GtkWidget *widget)
{
  if (GTK_IS_TEXT (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *text = find_text (child);

      if (text != NULL)
        return text;
    }
  return NULL;
}

static void
collect_entry_rows (GtkWidget *widget,
                    GPtrArray *rows)
{
  if (ADW_IS_ENTRY_ROW (widget))
    g_ptr_array_add (rows, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_entry_rows (child, rows);
}

/**
 * poste_accessible_announce_entry_rows:
 * @root: a window holding #AdwEntryRow fields, once built
 *
 * Works around GTK 4.8 reporting no focus for an #AdwEntryRow (see the top of this file): when
 * the keyboard (Tab, Shift+Tab, the arrows) moves the focus into an entry row's text, the row
 * itself takes the focus for one main loop iteration, which GTK reports to screen readers as
 * the named field gaining the focus, and then hands it back to its text (selecting it all, as
 * tabbing into any entry does). A click places the cursor as always: the workaround stays out of
 * the pointer's way.
 */
void
poste_accessible_announce_entry_rows (GtkWidget *root)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  GtkEventController *keys;
  GtkGesture *click;

  g_return_if_fail (GTK_IS_WINDOW (root));

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (navigation_key_cb), root);
  gtk_widget_add_controller (root, keys);
  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), 0);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (click), GTK_PHASE_CAPTURE);
  g_signal_connect (click, "pressed", G_CALLBACK (pointer_pressed_cb), root);
  gtk_widget_add_controller (root, GTK_EVENT_CONTROLLER (click));

  collect_entry_rows (root, rows);
  for (guint i = 0; i < rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (rows, i);
      GtkWidget *text = find_text (row);
      GtkEventController *focus;

      if (text == NULL)
        continue;
      g_object_set_data (G_OBJECT (row), "poste-accessible-text", text);
      focus = gtk_event_controller_focus_new ();
      g_signal_connect (focus, "enter", G_CALLBACK (text_focus_enter_cb), row);
      gtk_widget_add_controller (text, focus);
    }
}
