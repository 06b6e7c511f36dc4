// The editor's look: a dark Fusion palette with one style sheet, and the two colour tables the canvas shares
// with the links and the palette (one colour per port type, one per node category).
#pragma once

#include <QColor>
#include <QString>
#include <QStringView>

class QApplication;

namespace sv::ui {

/// Colours the canvas paints with; one instance, read-only, so every item agrees.
struct CanvasColors {
    QColor background{0x1d, 0x1f, 0x23};
    QColor gridMinor{0x26, 0x29, 0x2e};
    QColor gridMajor{0x30, 0x34, 0x3a};
    QColor nodeBody{0x2e, 0x31, 0x37};
    QColor nodeBorder{0x14, 0x15, 0x18};
    QColor nodeSelected{0xff, 0xb0, 0x3b};
    QColor nodeText{0xe6, 0xe8, 0xeb};
    QColor nodeSubtleText{0x9a, 0xa0, 0xa8};
    QColor viewFlag{0x4f, 0xc3, 0xf7};
    QColor bypass{0xb3, 0x8a, 0x2e};
    QColor error{0xe5, 0x39, 0x35};
    QColor cached{0x5f, 0xa8, 0x6b};
    QColor running{0x42, 0x8b, 0xf4};
    QColor cutLine{0xff, 0x52, 0x52};
    QColor rubberBand{0x4f, 0xc3, 0xf7};
};

/// The one set of canvas colours.
const CanvasColors& canvasColors();

/// The colour of a port type the registry does not know (registered types carry their own colour, see
/// GraphModel::portColor): grey for "ANY" (the ports of an unknown node type), else a stable colour derived
/// from the name. Thread safety: pure.
QColor portTypeColor(QStringView typeName);

/// The title-bar colour of a node category by its last level ("Sana Video/Sampling" → Sampling); unknown
/// categories get a stable colour derived from the name.
QColor categoryColor(QStringView category);

/// The application style sheet (docks, panels, queue, preview controls).
QString styleSheet();

/// Applies Fusion, the dark palette and the style sheet to `app`.
void applyTheme(QApplication& app);

}  // namespace sv::ui
