#include "panels/preview_pane.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QPainter>
#include <QSlider>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace sv::ui {

/// Paints one image centred, scaled to fit (smooth filtering, never cropped) or at 1:1.
class FrameView : public QWidget {
  public:
    explicit FrameView(QWidget* parent) : QWidget(parent) {
        setMinimumSize(160, 90);
        setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
        setAttribute(Qt::WA_OpaquePaintEvent);
    }
    void setImage(const QImage& image) {
        m_image = image;
        update();
    }
    void setMessage(const QString& message) {
        m_message = message;
        update();
    }
    void setFit(bool fit) {
        m_fit = fit;
        update();
    }

  protected:
    void paintEvent(QPaintEvent*) override {
        QPainter p(this);
        p.fillRect(rect(), QColor(0x12, 0x13, 0x15));
        if (m_image.isNull()) {
            p.setPen(QColor(0x80, 0x86, 0x8e));
            p.drawText(rect().adjusted(8, 8, -8, -8), Qt::AlignCenter | Qt::TextWordWrap, m_message);
            return;
        }
        QSizeF size = m_image.size();
        if (m_fit) size.scale(QSizeF(width(), height()), Qt::KeepAspectRatio);
        const QRectF target(QPointF((width() - size.width()) / 2, (height() - size.height()) / 2), size);
        p.setRenderHint(QPainter::SmoothPixmapTransform, true);
        p.drawImage(target, m_image);
    }

  private:
    QImage m_image;
    QString m_message;
    bool m_fit = true;
};

PreviewPane::PreviewPane(QWidget* parent) : QWidget(parent) {
    setFocusPolicy(Qt::StrongFocus);
    m_view = new FrameView(this);
    m_timer = new QTimer(this);
    m_timer->setTimerType(Qt::PreciseTimer);
    connect(m_timer, &QTimer::timeout, this, &PreviewPane::advance);

    m_playButton = new QToolButton(this);
    m_playButton->setObjectName(QStringLiteral("previewPlay"));
    m_playButton->setToolTip(tr("Play / pause (Space)"));
    m_playButton->setFocusPolicy(Qt::NoFocus);
    connect(m_playButton, &QToolButton::clicked, this, &PreviewPane::togglePlay);

    m_scrub = new QSlider(Qt::Horizontal, this);
    m_scrub->setObjectName(QStringLiteral("previewScrub"));
    m_scrub->setToolTip(tr("Scrub frames (Left / Right step one frame)"));
    m_scrub->setFocusPolicy(Qt::NoFocus);
    connect(m_scrub, &QSlider::valueChanged, this, &PreviewPane::setCurrentFrame);

    m_counter = new QLabel(this);
    m_counter->setObjectName(QStringLiteral("previewCounter"));
    m_counter->setMinimumWidth(70);
    m_counter->setAlignment(Qt::AlignRight | Qt::AlignVCenter);

    m_loop = new QCheckBox(tr("Loop"), this);
    m_loop->setObjectName(QStringLiteral("previewLoop"));
    m_loop->setChecked(true);
    m_loop->setFocusPolicy(Qt::NoFocus);

    m_fps = new QDoubleSpinBox(this);
    m_fps->setObjectName(QStringLiteral("previewFps"));
    m_fps->setRange(0.5, 120.0);
    m_fps->setDecimals(1);
    m_fps->setSuffix(tr(" fps"));
    m_fps->setValue(m_clipFps);
    m_fps->setToolTip(tr("Playback rate"));
    connect(m_fps, &QDoubleSpinBox::valueChanged, this, [this](double) {
        if (isPlaying()) play();  // restarts the timer at the new interval
    });

    m_fitButton = new QToolButton(this);
    m_fitButton->setText(tr("Fit"));
    m_fitButton->setCheckable(true);
    m_fitButton->setChecked(true);
    m_fitButton->setToolTip(tr("Zoom to fit / 1:1"));
    m_fitButton->setFocusPolicy(Qt::NoFocus);
    connect(m_fitButton, &QToolButton::toggled, this, &PreviewPane::setFitToView);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("previewStatus"));

    auto* controls = new QHBoxLayout;
    controls->setContentsMargins(4, 2, 4, 2);
    controls->addWidget(m_playButton);
    controls->addWidget(m_scrub, 1);
    controls->addWidget(m_counter);
    controls->addWidget(m_loop);
    controls->addWidget(m_fps);
    controls->addWidget(m_fitButton);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_view, 1);
    layout->addLayout(controls);
    layout->addWidget(m_status);

    clear();
}

PreviewPane::~PreviewPane() = default;

void PreviewPane::setFrames(QList<QImage> frames) {
    m_frames = std::move(frames);
    m_current = m_frames.isEmpty() ? 0 : std::max(0, m_current) % int(m_frames.size());
}

void PreviewPane::showLatentPreview(QList<QImage> frames, int step, int totalSteps, double fps) {
    if (frames.isEmpty()) return;
    // A new preview (not the next step of the one shown) starts at frame 0 and plays.
    const bool fresh = m_mode != Mode::Latent || m_frames.size() <= 1;
    if (m_mode != Mode::Latent) m_current = 0;
    m_mode = Mode::Latent;
    setFrames(std::move(frames));
    m_clipFps = fps > 0 ? fps : kDefaultLatentFps;
    m_caption =
        totalSteps > 0 ? tr("Latent preview — step %1/%2").arg(step).arg(totalSteps) : tr("Latent preview");
    if (fresh) {
        m_fps->blockSignals(true);
        m_fps->setValue(m_clipFps);
        m_fps->blockSignals(false);
        if (m_frames.size() > 1) play();
    }
    if (m_frames.size() <= 1) pause();
    updateControls();
}

void PreviewPane::showFrames(QList<QImage> frames, double fps, const QString& caption, bool autoplay) {
    m_mode = frames.isEmpty() ? Mode::Empty : Mode::Video;
    m_current = 0;
    setFrames(std::move(frames));
    m_clipFps = fps;
    m_caption = caption;
    m_fps->blockSignals(true);
    m_fps->setValue(fps > 0 ? fps : 16.0);
    m_fps->blockSignals(false);
    if (autoplay && m_frames.size() > 1) {
        play();
    } else {
        pause();
    }
    updateControls();
}

void PreviewPane::clear(const QString& message) {
    pause();
    m_mode = Mode::Empty;
    m_frames.clear();
    m_current = 0;
    m_caption.clear();
    m_view->setMessage(message.isEmpty()
                           ? tr("Nothing to preview.\nSet a node's view flag (V) and run the graph.")
                           : message);
    updateControls();
}

QImage PreviewPane::currentImage() const {
    return m_frames.isEmpty() ? QImage() : m_frames[m_current];
}

bool PreviewPane::isPlaying() const {
    return m_timer->isActive();
}
bool PreviewPane::loops() const {
    return m_loop->isChecked();
}
double PreviewPane::fps() const {
    return m_fps->value();
}
QString PreviewPane::statusText() const {
    return m_status->text();
}

void PreviewPane::play() {
    if (m_frames.size() <= 1) return;
    if (!loops() && m_current >= frameCount() - 1) setCurrentFrame(0);
    const bool was = isPlaying();
    m_timer->start(std::max(1, int(std::lround(1000.0 / m_fps->value()))));
    if (!was) emit playingChanged(true);
    updateControls();
}

void PreviewPane::pause() {
    const bool was = m_timer->isActive();
    m_timer->stop();
    if (was) emit playingChanged(false);
    updateControls();
}

void PreviewPane::togglePlay() {
    isPlaying() ? pause() : play();
}

void PreviewPane::setCurrentFrame(int index) {
    if (m_frames.isEmpty()) return;
    index = std::clamp(index, 0, frameCount() - 1);
    const bool changed = index != m_current;
    m_current = index;
    updateControls();
    if (changed) emit currentFrameChanged(index);
}

void PreviewPane::stepFrame(int delta) {
    if (m_frames.isEmpty()) return;
    pause();
    int next = m_current + delta;
    if (loops()) next = ((next % frameCount()) + frameCount()) % frameCount();
    setCurrentFrame(next);
}

void PreviewPane::setLoop(bool loop) {
    m_loop->setChecked(loop);
}
void PreviewPane::setFps(double fps) {
    m_fps->setValue(fps);
}

void PreviewPane::setFitToView(bool fit) {
    if (m_fitButton->isChecked() != fit) m_fitButton->setChecked(fit);
    m_view->setFit(fit);
}

void PreviewPane::advance() {
    if (m_frames.size() <= 1) {
        pause();
        return;
    }
    if (m_current + 1 < frameCount()) {
        setCurrentFrame(m_current + 1);
    } else if (loops()) {
        setCurrentFrame(0);
    } else {
        pause();
    }
}

void PreviewPane::updateControls() {
    const int n = frameCount();
    m_view->setImage(currentImage());
    m_scrub->blockSignals(true);
    m_scrub->setRange(0, std::max(0, n - 1));
    m_scrub->setValue(m_current);
    m_scrub->blockSignals(false);
    m_scrub->setEnabled(n > 1);
    m_playButton->setEnabled(n > 1);
    m_playButton->setText(isPlaying() ? QStringLiteral("❚❚") : QStringLiteral("▶"));
    m_counter->setText(n > 0 ? tr("%1 / %2").arg(m_current + 1).arg(n) : QStringLiteral("– / –"));
    QString status = m_caption;
    if (n > 0 && m_mode == Mode::Latent)
        status += tr("  ·  %n latent frame(s) of %1×%2", nullptr, n)
                      .arg(m_frames[0].width())
                      .arg(m_frames[0].height());
    if (n > 0 && m_mode == Mode::Video)
        status += tr("  ·  %1×%2  ·  %3 fps")
                      .arg(m_frames[0].width())
                      .arg(m_frames[0].height())
                      .arg(m_clipFps, 0, 'g', 4);
    m_status->setText(status);
}

void PreviewPane::keyPressEvent(QKeyEvent* event) {
    switch (event->key()) {
        case Qt::Key_Space:
            togglePlay();
            break;
        case Qt::Key_Left:
            stepFrame(-1);
            break;
        case Qt::Key_Right:
            stepFrame(+1);
            break;
        case Qt::Key_Home:
            pause();
            setCurrentFrame(0);
            break;
        case Qt::Key_End:
            pause();
            setCurrentFrame(frameCount() - 1);
            break;
        default:
            QWidget::keyPressEvent(event);
            return;
    }
    event->accept();
}

}  // namespace sv::ui
