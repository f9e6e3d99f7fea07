package dev.rsm.app.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.Address;
import dev.rsm.app.RsmNode;
import dev.rsm.app.machines.Brittle;
import dev.rsm.app.machines.Order;
import dev.rsm.app.machines.Warehouse;
import dev.rsm.app.sample.Account;
import dev.rsm.app.testing.Http;
import dev.rsm.app.testing.Placement;
import dev.rsm.app.testing.TestCluster;
import dev.rsm.persistence.IngressResult;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.testing.TestStores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser (headless Chromium through chromedriver, Debian's {@code
 * chromium} and {@code chromium-driver}) against a two-node cluster: an order on node 1 sends a
 * reservation to a warehouse on node 2 while node 2 is down, and the console shows the order's
 * state, the reservation unacknowledged with its age, its armed timer and its steps. Screenshots of
 * every page go to {@code target/console-screenshots/}.
 */
class ConsoleBrowserTest {
  static final MachineRegistry TYPES = MachineRegistry.of(Order.TYPE, Warehouse.TYPE, Account.TYPE, Brittle.TYPE);
  static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Paths.get("/usr/bin/chromedriver");
  static final Path SCREENSHOTS = Paths.get("target", "console-screenshots");
  static final Duration WAIT = Duration.ofSeconds(20);

  /** Chromium's profile, a fresh one per test. */
  @TempDir Path profile;

  @Test
  void anOperatorFindsAMachineAndSeesItsStateUnacknowledgedOutputTimersAndSteps() throws Exception {
    assertTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "the console test needs Debian's chromium and chromium-driver (" + CHROMIUM + ", " + CHROMEDRIVER
            + "): apt-get install -y chromium chromium-driver (.ci/run installs them when missing)");
    Files.createDirectories(SCREENSHOTS);
    // Node 2's crash leaves it unreachable, not downed, for the whole test: its machines stay away.
    var config = ConfigFactory.parseString("""
        rsm.node.management = on
        pekko.management.http.hostname = "127.0.0.1"
        pekko.management.http.port = 0
        pekko.cluster.split-brain-resolver.stable-after = 120s
        rsm.replica-monitor.enabled = on
        rsm.replica-monitor.poll-interval = 200ms
        """);
    try (TestCluster cluster = new TestCluster(TestStores.fresh(TestStores.H2), TYPES, config)) {
      RsmNode one = cluster.start();
      RsmNode two = cluster.start();
      cluster.awaitUp(2);

      // Some history: orders reserving at a central warehouse, accounts, one failing input on node 1.
      List<String> onOne = new java.util.ArrayList<>();
      for (int i = 1; (onOne.size() < 2 || i <= 6) && i <= 40; i++) {
        Address a = Order.TYPE.address(String.format("order-%04d", 1000 + i));
        ask(one, a, "place-" + a.id(), new Order.Place("lamp", i, "central"));
        if (Placement.hosts(one, a)) onOne.add(a.id());
      }
      assertTrue(onOne.size() >= 2, "two of 40 orders placed on node 1: " + onOne);
      String order = onOne.get(0);
      // Its check timer fails every time: rejected after its attempts, a journaled rejection on node 1.
      ask(one, Order.TYPE.address(onOne.get(1)), null, new Order.Place("poison", 1, "central"));
      for (int i = 1; i <= 3; i++) ask(one, Account.TYPE.address("acct-" + i), null, new Account.Deposit(100 * i));
      String warehouse = firstHostedBy(two, one, i -> Warehouse.TYPE.address("east-" + i), new Warehouse.Open());
      String brittle = firstHostedBy(one, one, i -> Brittle.TYPE.address("b-" + i), new Brittle.Ok());
      assertEquals(500, Http.post(one.httpPort(), "/machines/brittle/" + brittle, null,
          "{\"type\":\"fail\",\"why\":\"the printer is on fire\"}").statusCode());

      cluster.crash(two); // the warehouse's node
      ask(one, Order.TYPE.address(order), "chair-1", new Order.Place("chair", 4, warehouse));

      WebDriver browser = chromium(profile);
      try {
        String console = "http://127.0.0.1:" + one.managementPort() + "/console/";
        browser.get(console);
        // Pages with live data re-render every few seconds: an element read as it is replaced is read again.
        WebDriverWait wait = new WebDriverWait(browser, WAIT);
        wait.ignoring(StaleElementReferenceException.class);
        wait.until(d -> d.findElements(By.cssSelector("#node-list .node-card")).size() == 2);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("node-list"), "unreachable"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("nodes-up"), "1 / 2"));
        screenshot(browser, "overview");

        browser.findElement(By.linkText("Machine types")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("types-table"), "warehouse"));
        screenshot(browser, "types");

        browser.findElement(By.linkText("Machines")).click();
        new Select(wait.until(ExpectedConditions.elementToBeClickable(By.id("type-select")))).selectByValue("order");
        WebElement search = wait.until(ExpectedConditions.elementToBeClickable(By.id("machine-search")));
        search.sendKeys(order.substring(order.length() - 4));
        browser.findElement(By.id("search-button")).click();
        wait.until(ExpectedConditions.urlContains("#/machines/order?q="));
        String id = order;
        wait.until(d -> d.findElements(By.cssSelector("#machine-table .machine-row")).stream()
            .anyMatch(e -> e.getText().equals(id)));
        assertEquals(1, browser.findElements(By.cssSelector("#machine-table .machine-row")).size(), "found by its id");
        screenshot(browser, "machines");

        browser.findElement(By.linkText(order)).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("state"), "\"chair\""));
        String machineUrl = browser.getCurrentUrl();
        assertTrue(machineUrl.endsWith("#/machine/order/" + order), machineUrl);
        assertTrue(text(wait, "state").contains("\"quantity\": 4"), text(wait, "state"));
        String placement = text(wait, "placement");
        assertTrue(placement.equals("running on " + one.system().address()), placement);
        // The reservation to the warehouse on the dead node: unacknowledged, with its age.
        String outbox = wait.until(d -> textIf(d, "unacked-table", t -> t.contains("warehouse/" + warehouse)));
        assertTrue(outbox.contains("#1") && outbox.contains("reserve") && outbox.matches("(?s).*\\d+ s ago.*"), outbox);
        String timers = text(wait, "timers-table");
        assertTrue(timers.contains("expire") && timers.contains("in 59 min"), timers);
        wait.until(d -> d.findElements(By.cssSelector("#timeline li.step")).size() == 2);
        String timeline = text(wait, "timeline");
        assertTrue(timeline.contains("chair") && timeline.contains("lamp") && timeline.contains("chair-1"), timeline);
        screenshot(browser, "machine");

        browser.get("about:blank"); // the machine's URL is a link: it opens the same page from scratch
        browser.get(machineUrl);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("machine-id"), order));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("unacked-table"), "warehouse/" + warehouse));

        browser.findElement(By.linkText("Rejections & divergences")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("rejection-table"), "the printer is on fire"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("rejection-table"), "cannot check an order of poison"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("divergences"), "STEPS CHECKED"));
        screenshot(browser, "problems");
      } finally {
        browser.quit();
        cluster.crash(one); // a graceful leave would wait for the unreachable node
      }
    }
  }

  @Test
  void behindManagementAuthTheConsoleAsksForTheTokenAndThenShowsTheCluster() throws Exception {
    assertTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "the console test needs Debian's chromium and chromium-driver: apt-get install -y chromium chromium-driver");
    String token = "console-token-0123456789abcdef";
    var config = ConfigFactory.parseMap(java.util.Map.of("rsm.http.auth.enabled", true,
        "rsm.http.auth.tokens", List.of(token), "rsm.node.management", true, "pekko.management.http.port", 0));
    try (TestCluster cluster = new TestCluster(TestStores.fresh(TestStores.H2), TYPES, config)) {
      RsmNode node = cluster.start();
      cluster.awaitUp(1);
      WebDriver browser = chromium(profile);
      try {
        browser.get("http://127.0.0.1:" + node.managementPort() + "/console/#/types");
        WebDriverWait wait = new WebDriverWait(browser, WAIT);
        wait.ignoring(StaleElementReferenceException.class);
        wait.until(ExpectedConditions.elementToBeClickable(By.id("token"))).sendKeys(token);
        browser.findElement(By.cssSelector("form button[type=submit]")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("types-table"), "warehouse"));
        screenshot(browser, "token-accepted");
      } finally {
        browser.quit();
      }
    }
  }

  private static WebDriver chromium(Path profile) {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--user-data-dir=" + profile, "--window-size=1400,1600");
    // The driver is given, so Selenium Manager has nothing to look up or download.
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort().build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().window().setSize(new Dimension(1400, 1600));
    return driver;
  }

  private static void screenshot(WebDriver browser, String name) throws IOException {
    byte[] png = ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES);
    Files.write(SCREENSHOTS.resolve(name + ".png"), png);
  }

  private static String text(WebDriverWait wait, String id) {
    return wait.until(d -> d.findElement(By.id(id)).getText());
  }

  /** The element's text when it exists and passes {@code test}, else null (for a wait). */
  private static String textIf(WebDriver browser, String id, Predicate<String> test) {
    List<WebElement> e = browser.findElements(By.id(id));
    if (e.isEmpty()) return null;
    String t = e.get(0).getText();
    return test.test(t) ? t : null;
  }

  private static void ask(RsmNode node, Address to, String key, Object input) {
    IngressResult r = node.machines().ask(to, key, input).toCompletableFuture().join();
    assertTrue(r instanceof IngressResult.Replied, to + ": " + r);
  }

  /** The id of the first machine {@code address(i)} that {@code host} runs after {@code input} woke it. */
  private static String firstHostedBy(RsmNode host, RsmNode client, java.util.function.IntFunction<Address> address,
      Object input) {
    for (int i = 1; i <= 40; i++) {
      Address a = address.apply(i);
      ask(client, a, null, input);
      if (Placement.hosts(host, a)) return a.id();
    }
    throw new AssertionError("no machine of 40 landed on " + host.system().address());
  }
}
