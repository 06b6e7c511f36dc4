#include "app/video_graph.h"

#include <QFileInfo>

#include "base/error.h"
#include "plugin/graph/graph_file.h"

namespace sv::ui {

bool isVideoFile(const QString& path) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    return suffix == u"mp4" || suffix == u"m4v" || suffix == u"mov";
}

QByteArray graphJsonFromVideo(const QString& path, QString* error) {
    try {
        return QByteArray::fromStdString(sv::plugin::embeddedGraphText(path.toStdString()));
    } catch (const sv::Error& e) {
        if (error) *error = QString::fromStdString(e.what());
        return {};
    }
}

}  // namespace sv::ui
