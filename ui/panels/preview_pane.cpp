#include "panels/preview_pane.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QDoubleSpinBox>
#include <QFileInfo>
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

namespace {
/// Scaled up by this much or more, a decoded clip is drawn with square pixels instead of a blur.
constexpr double kPixelatedScale = 2.0;
}  // namespace

/// Paints one image centred, scaled to fit (never cropped) or at 1:1 (one image pixel per device pixel).
/// Small clips are scaled with square pixels; live previews (`smoothAlways`) are always smoothed.
class FrameView : public QWidget {
  public:
    explicit FrameView(QWidget* parent) : QWidget(parent) {
        setMinimumSize(160, 90);
        setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
        setAttribute(Qt::WA_OpaquePaintEvent);
    }
    void setImage(const QImage& image) {
        image_ = image;
        update();
    }
    void setMessage(const QString& message) {
        message_ = message;
        update();
    }
    void setFit(bool fit) {
        fit_ = fit;
        update();
    }
    void setSmoothAlways(bool smooth) {
        smoothAlways_ = smooth;
        update();
    }
    QSizeF targetSize() const {
        QSizeF size = QSizeF(image_.size()) / devicePixelRatioF();
        if (fit_) size.scale(QSizeF(width(), height()), Qt::KeepAspectRatio);
        return size;
    }
    bool pixelated() const {
        if (image_.isNull() || smoothAlways_) return false;
        return targetSize().width() * devicePixelRatioF() >= kPixelatedScale * image_.width();
    }

  protected:
    void paintEvent(QPaintEvent*) override {
        QPainter p(this);
        p.fillRect(rect(), QColor(0x12, 0x13, 0x15));
        if (image_.isNull()) {
            p.setPen(QColor(0x80, 0x86, 0x8e));
            p.drawText(rect().adjusted(8, 8, -8, -8), Qt::AlignCenter | Qt::TextWordWrap, message_);
            return;
        }
        const QSizeF size = targetSize();
        const QRectF target(QPointF((width() - size.width()) / 2, (height() - size.height()) / 2), size);
        p.setRenderHint(QPainter::SmoothPixmapTransform, !pixelated());
        p.drawImage(target, image_);
    }

  private:
    QImage image_;
    QString message_;
    bool fit_ = true;
    bool smoothAlways_ = false;
};

PreviewPane::PreviewPane(QWidget* parent) : QWidget(parent) {
    setFocusPolicy(Qt::StrongFocus);
    view_ = new FrameView(this);
    timer_ = new QTimer(this);
    timer_->setTimerType(Qt::PreciseTimer);
    connect(timer_, &QTimer::timeout, this, &PreviewPane::advance);

    playButton_ = new QToolButton(this);
    playButton_->setObjectName(QStringLiteral("previewPlay"));
    playButton_->setToolTip(tr("Play / pause (Space)"));
    playButton_->setFocusPolicy(Qt::NoFocus);
    connect(playButton_, &QToolButton::clicked, this, &PreviewPane::togglePlay);

    scrub_ = new QSlider(Qt::Horizontal, this);
    scrub_->setObjectName(QStringLiteral("previewScrub"));
    scrub_->setToolTip(tr("Scrub frames (Left / Right step one frame)"));
    scrub_->setFocusPolicy(Qt::NoFocus);
    connect(scrub_, &QSlider::valueChanged, this, &PreviewPane::setCurrentFrame);

    counter_ = new QLabel(this);
    counter_->setObjectName(QStringLiteral("previewCounter"));
    counter_->setMinimumWidth(70);
    counter_->setAlignment(Qt::AlignRight | Qt::AlignVCenter);

    loop_ = new QCheckBox(tr("Loop"), this);
    loop_->setObjectName(QStringLiteral("previewLoop"));
    loop_->setChecked(true);
    loop_->setFocusPolicy(Qt::NoFocus);

    fps_ = new QDoubleSpinBox(this);
    fps_->setObjectName(QStringLiteral("previewFps"));
    fps_->setRange(0.5, 120.0);
    fps_->setDecimals(1);
    fps_->setSuffix(tr(" fps"));
    fps_->setValue(clipFps_);
    fps_->setToolTip(tr("Playback rate"));
    connect(fps_, &QDoubleSpinBox::valueChanged, this, [this](double) {
        if (isPlaying()) play();  // restarts the timer at the new interval
    });

    fitButton_ = new QToolButton(this);
    fitButton_->setText(tr("Fit"));
    fitButton_->setCheckable(true);
    fitButton_->setChecked(true);
    fitButton_->setToolTip(tr("Zoom to fit / 1:1"));
    fitButton_->setFocusPolicy(Qt::NoFocus);
    connect(fitButton_, &QToolButton::toggled, this, &PreviewPane::setFitToView);

    status_ = new QLabel(this);
    status_->setObjectName(QStringLiteral("previewStatus"));
    createFileBar();

    auto* controls = new QHBoxLayout;
    controls->setContentsMargins(4, 2, 4, 2);
    controls->addWidget(playButton_);
    controls->addWidget(scrub_, 1);
    controls->addWidget(counter_);
    controls->addWidget(loop_);
    controls->addWidget(fps_);
    controls->addWidget(fitButton_);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(view_, 1);
    layout->addLayout(controls);
    layout->addWidget(status_);
    layout->addWidget(fileBar_);

    clear();
}

void PreviewPane::createFileBar() {
    // The file the shown result was written to: its name (elided in the middle), Reveal, Copy Path.
    fileBar_ = new QWidget(this);
    fileBar_->setObjectName(QStringLiteral("previewFileBar"));
    fileLabel_ = new QLabel(fileBar_);
    fileLabel_->setObjectName(QStringLiteral("previewFile"));
    fileLabel_->setMinimumWidth(40);
    fileLabel_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    auto* reveal = new QToolButton(fileBar_);
    reveal->setObjectName(QStringLiteral("previewReveal"));
    reveal->setText(tr("Reveal"));
    reveal->setToolTip(tr("Show the file in the file manager"));
    connect(reveal, &QToolButton::clicked, this, [this] { emit revealRequested(file_); });
    auto* copy = new QToolButton(fileBar_);
    copy->setObjectName(QStringLiteral("previewCopyPath"));
    copy->setText(tr("Copy Path"));
    copy->setToolTip(tr("Copy the file's path to the clipboard"));
    connect(copy, &QToolButton::clicked, this, [this] { QApplication::clipboard()->setText(file_); });
    auto* fileRow = new QHBoxLayout(fileBar_);
    fileRow->setContentsMargins(4, 0, 4, 2);
    fileRow->addWidget(fileLabel_, 1);
    fileRow->addWidget(reveal);
    fileRow->addWidget(copy);
    fileBar_->hide();
}

PreviewPane::~PreviewPane() = default;

void PreviewPane::setFrames(QList<QImage> frames) {
    frames_ = std::move(frames);
    current_ = frames_.isEmpty() ? 0 : std::max(0, current_) % int(frames_.size());
}

void PreviewPane::showLatentPreview(QList<QImage> frames, int step, int totalSteps, double fps) {
    if (frames.isEmpty()) return;
    view_->setSmoothAlways(true);
    setFile({});
    // A new preview (not the next step of the one shown) starts at frame 0 and plays.
    const bool fresh = mode_ != Mode::Latent || frames_.size() <= 1;
    if (mode_ != Mode::Latent) current_ = 0;
    mode_ = Mode::Latent;
    setFrames(std::move(frames));
    clipFps_ = fps > 0 ? fps : kDefaultLatentFps;
    caption_ =
        totalSteps > 0 ? tr("Latent preview — step %1/%2").arg(step).arg(totalSteps) : tr("Latent preview");
    if (fresh) {
        fps_->blockSignals(true);
        fps_->setValue(clipFps_);
        fps_->blockSignals(false);
        if (frames_.size() > 1) play();
    }
    if (frames_.size() <= 1) pause();
    updateControls();
}

void PreviewPane::showFrames(QList<QImage> frames, double fps, const QString& caption, bool autoplay) {
    mode_ = frames.isEmpty() ? Mode::Empty : Mode::Video;
    view_->setSmoothAlways(false);
    current_ = 0;
    setFrames(std::move(frames));
    clipFps_ = fps;
    caption_ = caption;
    fps_->blockSignals(true);
    fps_->setValue(fps > 0 ? fps : 16.0);
    fps_->blockSignals(false);
    if (autoplay && frames_.size() > 1) {
        play();
    } else {
        pause();
    }
    updateControls();
}

void PreviewPane::clear(const QString& message) {
    pause();
    setFile({});
    mode_ = Mode::Empty;
    frames_.clear();
    current_ = 0;
    caption_.clear();
    view_->setMessage(message.isEmpty() ? tr("Nothing to show yet.\nQueue the graph (Ctrl+Enter): the "
                                             "Sampler's live preview, then the video, "
                                             "play here. V on a node shows that node's result.")
                                        : message);
    updateControls();
}

void PreviewPane::showCancelled(const QString& message) {
    pause();
    caption_ = caption_.isEmpty() ? message : tr("%1 — %2").arg(message, caption_);
    updateControls();
}

void PreviewPane::setFile(const QString& path) {
    file_ = path;
    fileBar_->setVisible(!path.isEmpty());
    if (path.isEmpty()) return;
    const QString name = QFileInfo(path).fileName();
    fileLabel_->setText(QFontMetrics(fileLabel_->font()).elidedText(name, Qt::ElideMiddle, 260));
    fileLabel_->setToolTip(path);
}

bool PreviewPane::isPixelated() const {
    return view_->pixelated();
}

QImage PreviewPane::currentImage() const {
    return frames_.isEmpty() ? QImage() : frames_[current_];
}

bool PreviewPane::isPlaying() const {
    return timer_->isActive();
}
bool PreviewPane::loops() const {
    return loop_->isChecked();
}
double PreviewPane::fps() const {
    return fps_->value();
}
QString PreviewPane::statusText() const {
    return status_->text();
}

void PreviewPane::play() {
    if (frames_.size() <= 1) return;
    if (!loops() && current_ >= frameCount() - 1) setCurrentFrame(0);
    const bool was = isPlaying();
    timer_->start(std::max(1, int(std::lround(1000.0 / fps_->value()))));
    if (!was) emit playingChanged(true);
    updateControls();
}

void PreviewPane::pause() {
    const bool was = timer_->isActive();
    timer_->stop();
    if (was) emit playingChanged(false);
    updateControls();
}

void PreviewPane::togglePlay() {
    isPlaying() ? pause() : play();
}

void PreviewPane::setCurrentFrame(int index) {
    if (frames_.isEmpty()) return;
    index = std::clamp(index, 0, frameCount() - 1);
    const bool changed = index != current_;
    current_ = index;
    updateControls();
    if (changed) emit currentFrameChanged(index);
}

void PreviewPane::stepFrame(int delta) {
    if (frames_.isEmpty()) return;
    pause();
    int next = current_ + delta;
    if (loops()) next = ((next % frameCount()) + frameCount()) % frameCount();
    setCurrentFrame(next);
}

void PreviewPane::setLoop(bool loop) {
    loop_->setChecked(loop);
}
void PreviewPane::setFps(double fps) {
    fps_->setValue(fps);
}

void PreviewPane::setFitToView(bool fit) {
    if (fitButton_->isChecked() != fit) fitButton_->setChecked(fit);
    view_->setFit(fit);
}

void PreviewPane::advance() {
    if (frames_.size() <= 1) {
        pause();
        return;
    }
    if (current_ + 1 < frameCount()) {
        setCurrentFrame(current_ + 1);
    } else if (loops()) {
        setCurrentFrame(0);
    } else {
        pause();
    }
}

void PreviewPane::updateControls() {
    const int n = frameCount();
    view_->setImage(currentImage());
    scrub_->blockSignals(true);
    scrub_->setRange(0, std::max(0, n - 1));
    scrub_->setValue(current_);
    scrub_->blockSignals(false);
    scrub_->setEnabled(n > 1);
    playButton_->setEnabled(n > 1);
    playButton_->setText(isPlaying() ? QStringLiteral("❚❚") : QStringLiteral("▶"));
    counter_->setText(n > 0 ? tr("%1 / %2").arg(current_ + 1).arg(n) : QStringLiteral("– / –"));
    QString status = caption_;
    if (n > 0 && mode_ == Mode::Latent)
        status += tr("  ·  %n latent frame(s) of %1×%2", nullptr, n)
                      .arg(frames_[0].width())
                      .arg(frames_[0].height());
    if (n > 0 && mode_ == Mode::Video)
        status += tr("  ·  %1×%2  ·  %3 fps")
                      .arg(frames_[0].width())
                      .arg(frames_[0].height())
                      .arg(clipFps_, 0, 'g', 4);
    status_->setText(status);
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
