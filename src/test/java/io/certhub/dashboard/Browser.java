package io.certhub.dashboard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven by Selenium through Debian's ChromeDriver, for the dashboard's
 * browser tests. Nothing is ever downloaded: the driver and browser paths are fixed, Selenium
 * Manager is told to stay offline ({@code SE_OFFLINE=true}), and Chromium runs with its background
 * networking off and a fresh profile ({@code --user-data-dir}) in the given work directory.
 *
 * <p>On a machine without the two packages, {@link #assumeInstalled()} skips the calling tests
 * with a message saying how to install them.
 */
public final class Browser implements AutoCloseable {

    /** Debian's Chromium (package {@code chromium}). */
    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    /** Debian's ChromeDriver (package {@code chromium-driver}). */
    public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /** Desktop window size of screenshots and of the tests. */
    public static final Dimension DESKTOP = new Dimension(1366, 900);
    /** Phone viewport of screenshots. */
    public static final Dimension PHONE = new Dimension(390, 844);
    /** Where {@link #screenshot(String)} writes. */
    public static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private final ChromeDriver driver;
    private final Path downloads;

    private Browser(ChromeDriver driver, Path downloads) {
        this.driver = driver;
        this.downloads = downloads;
    }

    /** @return whether Debian's Chromium and ChromeDriver are both installed */
    public static boolean installed() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    /**
     * Skips the calling test when Chromium or ChromeDriver is missing (a JUnit assumption whose
     * message says how to install them). Call it from {@code @BeforeEach} so that every test is
     * reported as skipped.
     */
    public static void assumeInstalled() {
        Assumptions.assumeTrue(installed(),
            () -> "browser tests skipped: " + CHROMIUM + " or " + CHROMEDRIVER + " is missing; install them with "
                + "`apt-get install -y chromium chromium-driver` (.ci/run does so)");
    }

    /**
     * Starts a headless Chromium at desktop size with a fresh profile and download folder.
     *
     * @param workDir an empty folder for the profile ({@code profile/}) and downloads ({@code downloads/})
     * @return the browser; close it
     */
    public static Browser start(Path workDir) {
        System.setProperty("SE_OFFLINE", "true");
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        Path profile = workDir.resolve("profile");
        Path downloads = workDir.resolve("downloads");
        try {
            Files.createDirectories(profile);
            Files.createDirectories(downloads);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
            "--disable-quic", "--disable-default-apps", "--disable-extensions", "--user-data-dir=" + profile,
            "--window-size=" + DESKTOP.width + "," + DESKTOP.height);
        options.setExperimentalOption("prefs", Map.of("download.default_directory", downloads.toString(),
            "download.prompt_for_download", false, "safebrowsing.enabled", false));
        ChromeDriverService service = new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .withEnvironment(Map.of("SE_OFFLINE", "true"))
            .withLogOutput(java.io.OutputStream.nullOutputStream())
            .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
        driver.manage().window().setSize(DESKTOP);
        return new Browser(driver, downloads);
    }

    /** @return the WebDriver */
    public WebDriver driver() {
        return driver;
    }

    /** @return the folder Chromium saves downloads in */
    public Path downloads() {
        return downloads;
    }

    /**
     * @param timeout how long to wait at most
     * @return an explicit wait on this browser
     */
    public WebDriverWait waitUpTo(Duration timeout) {
        return new WebDriverWait(driver, timeout, Duration.ofMillis(100));
    }

    /**
     * Runs JavaScript in the page.
     *
     * @param script the script (a function body; {@code arguments} holds {@code args})
     * @param args   its arguments
     * @return what it returned
     */
    public Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /**
     * Runs asynchronous JavaScript: the script calls {@code arguments[arguments.length - 1]} with its result.
     *
     * @param script the script
     * @param args   its arguments
     * @return the value passed to the callback
     */
    public Object jsAsync(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeAsyncScript(script, args);
    }

    /**
     * Saves the whole current page as {@code target/screenshots/<name>-desktop.png} (1366 px wide)
     * and {@code <name>-phone.png} (390 px wide, a phone viewport), then returns to the desktop
     * size. The page is left as it was (no reload).
     *
     * @param name file name stem, e.g. {@code 03-order-detail}
     * @return the two files written
     */
    public List<Path> screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path desktop = SCREENSHOTS.resolve(name + "-desktop.png");
            Path phone = SCREENSHOTS.resolve(name + "-phone.png");
            Files.write(desktop, fullPage(DESKTOP, false));
            Files.write(phone, fullPage(PHONE, true));
            return List.of(desktop, phone);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs work with the page laid out at the given viewport (CDP device metrics), then returns to
     * the desktop size. The page is left as it was (no reload).
     *
     * @param viewport the viewport, e.g. {@link #PHONE}
     * @param mobile   whether to emulate a mobile device
     * @param work     what to do meanwhile
     * @param <T>      what work returns
     * @return what work returned
     */
    public <T> T atViewport(Dimension viewport, boolean mobile, java.util.function.Supplier<T> work) {
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", viewport.width, "height", viewport.height,
            "deviceScaleFactor", 1, "mobile", mobile));
        try {
            return work.get();
        } finally {
            driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        }
    }

    /**
     * Makes the page's local time zone this one (CDP {@code Emulation.setTimezoneOverride}; it holds
     * across navigations in this tab), so that a test can tell a time shown in UTC from a local one.
     *
     * @param zoneId an IANA zone, e.g. {@code Asia/Kolkata}
     */
    public void timeZone(String zoneId) {
        driver.executeCdpCommand("Emulation.setTimezoneOverride", Map.of("timezoneId", zoneId));
    }

    /** The page at the given viewport, its whole height (CDP {@code Page.captureScreenshot}). */
    private byte[] fullPage(Dimension viewport, boolean mobile) {
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", viewport.width, "height", viewport.height,
            "deviceScaleFactor", 1, "mobile", mobile));
        try {
            Number height = (Number) js("return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight, arguments[0]);",
                viewport.height);
            long h = Math.min(height.longValue(), 6000);
            Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot", Map.of("format", "png",
                "captureBeyondViewport", true,
                "clip", Map.of("x", 0, "y", 0, "width", viewport.width, "height", h, "scale", 1)));
            return Base64.getDecoder().decode((String) shot.get("data"));
        } catch (RuntimeException e) {
            return driver.getScreenshotAs(OutputType.BYTES);
        } finally {
            driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        }
    }

    @Override
    public void close() {
        driver.quit();
    }
}
