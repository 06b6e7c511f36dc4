#include "app/video_graph.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtEndian>

#include <functional>

namespace sv::ui {

namespace {

constexpr qint64 kMaxMoovBytes = 256LL << 20;  // metadata boxes are small; refuse absurd sizes
constexpr int kMaxDepth = 8;

struct Box {
    QByteArray type;
    qint64 headerSize = 0;
    qint64 size = 0;  // including header
};

/// Parses a box header from `avail` bytes at `p`, where `remaining` bytes are left in the enclosing range.
bool parseHeader(const uchar* p, qint64 avail, qint64 remaining, Box& box) {
    if (avail < 8 || remaining < 8) return false;
    qint64 size = qFromBigEndian<quint32>(p);
    box.type = QByteArray(reinterpret_cast<const char*>(p + 4), 4);
    box.headerSize = 8;
    if (size == 1) {
        if (avail < 16) return false;
        size = qint64(qFromBigEndian<quint64>(p + 8));
        box.headerSize = 16;
    } else if (size == 0) {
        size = remaining;
    }
    if (size < box.headerSize || size > remaining) return false;
    box.size = size;
    return true;
}

bool readBoxHeader(const QByteArray& data, qint64 pos, qint64 end, Box& box) {
    return parseHeader(reinterpret_cast<const uchar*>(data.constData()) + pos, data.size() - pos, end - pos,
                       box);
}

bool isGraphText(const QByteArray& text) {
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(text, &err);
    return err.error == QJsonParseError::NoError && doc.isObject() &&
           doc.object().value(QStringLiteral("format")).toString() == QStringLiteral("sanavideo.graph");
}

/// Walks container boxes below `[begin, end)` and calls `onData` with the payload of every ilst 'data' box.
void walk(const QByteArray& data, qint64 begin, qint64 end, int depth, bool inIlst,
          const std::function<bool(const QByteArray&)>& onData) {
    if (depth > kMaxDepth) return;
    for (qint64 pos = begin; pos < end;) {
        Box box;
        if (!readBoxHeader(data, pos, end, box)) return;
        const qint64 body = pos + box.headerSize, boxEnd = pos + box.size;
        if (box.type == "data" && inIlst) {
            if (boxEnd - body > 8 && onData(data.mid(body + 8, boxEnd - body - 8))) return;  // type + locale
        } else if (box.type == "meta") {
            // ISO full box (4 bytes version/flags) or QuickTime-style plain container.
            qint64 children = body;
            if (boxEnd - body >= 4 && data.mid(body, 4) == QByteArray(4, '\0')) children += 4;
            walk(data, children, boxEnd, depth + 1, false, onData);
        } else if (box.type == "moov" || box.type == "udta" || box.type == "trak") {
            walk(data, body, boxEnd, depth + 1, false, onData);
        } else if (box.type == "ilst") {
            walk(data, body, boxEnd, depth + 1, true, onData);
        } else if (inIlst) {
            walk(data, body, boxEnd, depth + 1, true,
                 onData);  // an item box (key index or ©cmt) holding 'data'
        }
        pos = boxEnd;
    }
}

}  // namespace

bool isVideoFile(const QString& path) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    return suffix == u"mp4" || suffix == u"m4v" || suffix == u"mov";
}

QByteArray graphJsonFromVideo(const QString& path, QString* error) {
    auto failWith = [&](const QString& message) {
        if (error) *error = message;
        return QByteArray();
    };
    // A FIFO or device dropped on the canvas would block open() or never end: regular files only.
    if (const QFileInfo info(path); info.exists() && !info.isFile())
        return failWith(QObject::tr("%1: not a regular file (a folder, named pipe or device)").arg(path));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return failWith(QObject::tr("%1: cannot open (%2)").arg(path, file.errorString()));

    // Find the top-level 'moov' box without reading the media data.
    const qint64 fileSize = file.size();
    QByteArray moov;
    for (qint64 pos = 0; pos + 8 <= fileSize;) {
        if (!file.seek(pos)) break;
        const QByteArray header = file.read(16);
        Box box;
        if (!parseHeader(reinterpret_cast<const uchar*>(header.constData()), header.size(), fileSize - pos,
                         box))
            break;
        if (box.type == "moov") {
            if (box.size > kMaxMoovBytes)
                return failWith(QObject::tr("%1: metadata box too large").arg(path));
            file.seek(pos);
            moov = file.read(box.size);
            break;
        }
        pos += box.size;
    }
    if (moov.isEmpty()) return failWith(QObject::tr("%1: not an MP4/MOV file (no 'moov' box)").arg(path));

    QByteArray found;
    walk(moov, 0, moov.size(), 0, false, [&](const QByteArray& payload) {
        QByteArray text = payload;
        if (!text.trimmed().startsWith('{')) text = QByteArray::fromBase64(text.trimmed());
        if (isGraphText(text)) {
            found = text;
            return true;
        }
        return false;
    });
    if (found.isEmpty())
        return failWith(
            QObject::tr("%1: no embedded graph (only videos written by Save Video carry one)").arg(path));
    return found;
}

}  // namespace sv::ui
