// The preview pane: shows the viewed node's live latent preview while it samples (one small picture per
// latent frame, animated), then the decoded frames as a clip with play/pause, scrubbing, loop, fps and a
// frame counter, and the file the shown result was written to (reveal it, copy its path). Clips much smaller
// than the pane are shown with square pixels (nearest neighbour), live previews smoothly. Keys while it has
// focus: Space play/pause, Left/Right step one frame, Home/End first/last frame.
#pragma once

#include <QImage>
#include <QList>
#include <QWidget>

class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QSlider;
class QTimer;
class QToolButton;

namespace sv::ui {

class FrameView;

class PreviewPane : public QWidget {
    Q_OBJECT
  public:
    enum class Mode { Empty, Latent, Video };
    static constexpr double kDefaultLatentFps = 16.0 / 4.0;

    explicit PreviewPane(QWidget* parent = nullptr);
    ~PreviewPane() override;

    /// Shows one sampler step's latent preview (one image per latent frame), playing the frames in a loop
    /// with the clip transport. A following step's frames replace them in place: the playhead keeps its
    /// index (modulo the new count) and the play state, so the animation does not jump. `fps` is the
    /// playback rate of the latent frames; <= 0 plays at kDefaultLatentFps (a latent frame stands for four
    /// frames of a 16 fps clip). The caption says "step k/N" when totalSteps > 0.
    void showLatentPreview(QList<QImage> frames, int step, int totalSteps, double fps = 0.0);
    /// Shows decoded frames as a clip; starts at frame 0 and plays when `autoplay`.
    void showFrames(QList<QImage> frames, double fps, const QString& caption, bool autoplay = true);
    /// Clears the pane and shows `message` in its place.
    void clear(const QString& message = {});
    /// The live preview's run was cancelled: playback stops on the current frame and the caption says so.
    void showCancelled(const QString& message);
    /// The file (or folder) the shown result was written to; "" hides the file bar.
    void setFile(const QString& path);
    const QString& file() const { return file_; }
    /// Whether the shown picture is scaled up with square pixels (a small clip) rather than smoothly.
    bool isPixelated() const;

    Mode mode() const { return mode_; }
    int frameCount() const { return int(frames_.size()); }
    int currentFrame() const { return current_; }
    QImage currentImage() const;
    bool isPlaying() const;
    bool loops() const;
    double fps() const;
    QString statusText() const;

  public slots:
    void play();
    void pause();
    void togglePlay();
    void setCurrentFrame(int index);
    void stepFrame(int delta);
    void setLoop(bool loop);
    void setFps(double fps);
    void setFitToView(bool fit);

  signals:
    void currentFrameChanged(int index);
    void playingChanged(bool playing);
    /// "Reveal" on the file bar.
    void revealRequested(const QString& path);

  protected:
    void keyPressEvent(QKeyEvent* event) override;

  private:
    void createFileBar();
    void advance();
    void updateControls();
    void setFrames(QList<QImage> frames);

    Mode mode_ = Mode::Empty;
    QList<QImage> frames_;
    int current_ = 0;
    double clipFps_ = 16.0;
    QString caption_;
    QString file_;

    FrameView* view_ = nullptr;
    QToolButton* playButton_ = nullptr;
    QToolButton* fitButton_ = nullptr;
    QSlider* scrub_ = nullptr;
    QLabel* counter_ = nullptr;
    QLabel* status_ = nullptr;
    QCheckBox* loop_ = nullptr;
    QDoubleSpinBox* fps_ = nullptr;
    QTimer* timer_ = nullptr;
    QWidget* fileBar_ = nullptr;
    QLabel* fileLabel_ = nullptr;
};

}  // namespace sv::ui
