#include "app/theme.h"

#include <QApplication>
#include <QHash>
#include <QPalette>
#include <QStyleFactory>

namespace sv::ui {

namespace {

QColor hashedColor(QStringView name, int saturation, int value) {
    // A stable hue from the name (qHash is seeded per process, so use our own FNV-1a).
    quint32 h = 2166136261u;
    for (QChar c : name) h = (h ^ c.unicode()) * 16777619u;
    return QColor::fromHsv(int(h % 360), saturation, value);
}

QString lowered(QStringView s) {
    return s.toString().toLower();
}

}  // namespace

const CanvasColors& canvasColors() {
    static const CanvasColors colors;
    return colors;
}

QColor portTypeColor(QStringView typeName) {
    if (lowered(typeName) == u"any" || typeName == u"*") return {0xbd, 0xbd, 0xbd};
    return hashedColor(typeName, 140, 230);
}

QColor categoryColor(QStringView category) {
    const QString c = lowered(category).section(u'/', -1);  // the leaf: "Sana Video/Sampling" → "sampling"
    if (c.contains(u"load")) return {0x3b, 0x5f, 0x8a};
    if (c.contains(u"condition") || c.contains(u"text")) return {0x8a, 0x5a, 0x2b};
    if (c.contains(u"sampl")) return {0x6b, 0x3f, 0x8a};
    if (c.contains(u"latent")) return {0x8a, 0x3f, 0x72};
    if (c.contains(u"image")) return {0x2f, 0x6f, 0x8a};
    if (c.contains(u"video") || c.contains(u"output") || c.contains(u"save")) return {0x2f, 0x7a, 0x5a};
    if (c.contains(u"util") || c.contains(u"math")) return {0x55, 0x5b, 0x63};
    return hashedColor(category, 110, 140);
}

QString styleSheet() {
    return QStringLiteral(R"(
QMainWindow::separator { background: #15171a; width: 3px; height: 3px; }
QDockWidget { titlebar-close-icon: none; color: #c8ccd2; }
QDockWidget::title { background: #24272c; padding: 4px 8px; border-bottom: 1px solid #15171a; }
QToolBar { background: #24272c; border: none; spacing: 4px; padding: 2px; }
QToolButton { padding: 3px 6px; border-radius: 3px; }
QToolButton:hover { background: #353a41; }
QToolButton:checked { background: #3d4a5c; }
QLineEdit, QPlainTextEdit, QTextEdit, QSpinBox, QDoubleSpinBox, QComboBox {
    background: #1b1d21; border: 1px solid #3a3f46; border-radius: 3px; padding: 2px 4px;
    selection-background-color: #3d6fb4;
}
QLineEdit:focus, QPlainTextEdit:focus, QSpinBox:focus, QDoubleSpinBox:focus, QComboBox:focus { border-color: #4f8fd6; }
QProgressBar { background: #1b1d21; border: 1px solid #3a3f46; border-radius: 3px; text-align: center; height: 14px; }
QProgressBar::chunk { background: #3d7fd6; border-radius: 2px; }
QSlider::groove:horizontal { height: 4px; background: #3a3f46; border-radius: 2px; }
QSlider::handle:horizontal { width: 12px; margin: -5px 0; background: #c8ccd2; border-radius: 6px; }
QSlider::sub-page:horizontal { background: #3d7fd6; border-radius: 2px; }
QTreeView, QListView, QTableView { background: #1f2125; alternate-background-color: #23262a; border: none; }
QTreeView::item:selected, QListView::item:selected { background: #3d5f8f; }
QLabel#inspectorTitle { font-weight: bold; font-size: 13px; padding: 4px 0; }
QLabel#inspectorHelp, QLabel#previewStatus { color: #9aa0a8; }
QFrame#nodePalette { background: #24272c; border: 1px solid #4f8fd6; border-radius: 4px; }
QPlainTextEdit#logView { font-family: monospace; }
)");
}

void applyTheme(QApplication& app) {
    app.setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QPalette p;
    const QColor window(0x2a, 0x2d, 0x32), base(0x1f, 0x21, 0x25), text(0xdc, 0xdf, 0xe4);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0x26, 0x29, 0x2e));
    p.setColor(QPalette::ToolTipBase, QColor(0x30, 0x34, 0x3a));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0x33, 0x37, 0x3d));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, Qt::white);
    p.setColor(QPalette::Highlight, QColor(0x3d, 0x6f, 0xb4));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x4f, 0xc3, 0xf7));
    p.setColor(QPalette::PlaceholderText, QColor(0x80, 0x86, 0x8e));
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x70, 0x74, 0x7a));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x70, 0x74, 0x7a));
    p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x70, 0x74, 0x7a));
    app.setPalette(p);
    app.setStyleSheet(styleSheet());
}

}  // namespace sv::ui
