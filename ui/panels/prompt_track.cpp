#include "panels/prompt_track.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSaveFile>

#include <algorithm>
#include <map>

#include "plugin/sdk/node_descriptor.h"

namespace sv::ui {

bool hasPromptTrack(const sv::plugin::NodeDescriptor& d) {
    for (const char* name : {"prompt_track", "prompt_file", "prompt", "frames", "chunk_frames"})
        if (!d.findParam(name)) return false;
    return true;
}

std::optional<PromptRows> parsePromptRows(const QString& text, QString* error) {
    std::map<qint64, QString> rows;
    const QStringList lines = text.split(u'\n');
    for (int i = 0; i < lines.size(); ++i) {
        const QString line = lines[i].trimmed();
        if (line.isEmpty() || line.startsWith(u'#')) continue;
        const qsizetype colon = line.indexOf(u':');
        const QString number = line.left(colon).trimmed();
        bool digits = colon > 0 && !number.isEmpty();
        for (const QChar c : number) digits = digits && c >= u'0' && c <= u'9';
        bool ok = false;
        const qint64 chunk = digits ? number.toLongLong(&ok) : -1;
        const QString prompt = ok ? line.mid(colon + 1).trimmed() : QString();
        if (prompt.isEmpty()) {
            if (error)
                *error = QStringLiteral("line %1: \"%2\" is not \"CHUNK: prompt\" (e.g. \"0: a red fox\")")
                             .arg(i + 1)
                             .arg(line);
            return std::nullopt;
        }
        rows[chunk] = prompt;
    }
    PromptRows out;
    for (const auto& [chunk, prompt] : rows) out.append({chunk, prompt});
    return out;
}

QString normalizedPrompt(const QString& prompt) {
    QString p = prompt;
    p.replace(QRegularExpression(QStringLiteral("\\s*[\\r\\n]+\\s*")), QStringLiteral(" "));
    return p.trimmed();
}

QString promptRowsText(const PromptRows& rows) {
    QString text;
    for (const PromptRow& r : rows)
        text += QStringLiteral("%1: %2\n").arg(r.chunk).arg(normalizedPrompt(r.prompt));
    return text;
}

PromptRows splitPromptRows(const QString& prompt, qint64 chunks) {
    const QStringList parts = prompt.split(QStringLiteral("<split>"));
    const auto k = qint64(parts.size());
    if (chunks < 1 || k > chunks) return {};
    PromptRows rows;
    for (qint64 i = 0; i < k; ++i) {
        const QString part = normalizedPrompt(parts[i]);
        if (part.isEmpty()) return {};
        rows.append({i * chunks / k, part});
    }
    return rows;
}

PromptRows withRow(PromptRows rows, const PromptRow& row) {
    rows.removeIf([&](const PromptRow& r) { return r.chunk == row.chunk; });
    rows.append(row);
    std::stable_sort(rows.begin(), rows.end(),
                     [](const auto& a, const auto& b) { return a.chunk < b.chunk; });
    return rows;
}

int rowForChunk(const PromptRows& rows, qint64 chunk) {
    int found = -1;
    for (int i = 0; i < rows.size(); ++i)
        if (rows[i].chunk <= chunk) found = i;
    return found;
}

ChunkLayout ChunkLayout::of(qint64 frames, qint64 chunkFrames) {
    ChunkLayout l;
    l.latentFrames = std::max<qint64>(1, (frames - 1) / 4 + 1);
    l.chunkFrames = std::max<qint64>(1, chunkFrames);
    l.chunks = std::max<qint64>(1, l.latentFrames / l.chunkFrames);
    return l;
}

qint64 ChunkLayout::firstFrame(qint64 c) const {
    if (c <= 0) return 0;
    const qint64 latent = latentFrames % chunkFrames + c * chunkFrames;  // the first chunk took the remainder
    return 4 * latent - 3;  // latent frame 0 is one video frame, every later one four
}

bool writeFileAtomically(const QString& path, const QByteArray& text, QString* error) {
    const QFileInfo before(path);
    const QDateTime oldStamp = before.exists() ? before.lastModified() : QDateTime();
    QSaveFile file(path);  // a temporary file in the same folder, renamed over `path` by commit()
    if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size() || !file.commit()) {
        if (error) *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    // On a file system with coarse times the new file could carry the old time and go unnoticed.
    QFile written(path);
    if (oldStamp.isValid() && QFileInfo(path).lastModified() <= oldStamp && written.open(QIODevice::Append))
        written.setFileTime(oldStamp.addSecs(1), QFileDevice::FileModificationTime);
    return true;
}

}  // namespace sv::ui
