/*
 * cpuser_esp32.h: cpuser's platform table on ESP-IDF: the clock from
 * esp_timer, waits with vTaskDelay (other tasks and lwIP's tcpip task
 * keep running), random bytes from the hardware RNG (esp_fill_random:
 * true random once Wi-Fi/BT is on or the bootloader's entropy source
 * was enabled; see ESP-IDF's "Random Number Generation").
 * NOT BUILT HERE: this machine has no ESP-IDF.
 */
#ifndef CPUSER_ESP32_H
#define CPUSER_ESP32_H

#include "cpuser/port.h"

void cpuser_esp32_platform_init(cpuser_platform *p);

#endif /* CPUSER_ESP32_H */
