/*
 * pci.c - PCI configuration mechanism #1 for guests (PCI 3.0,
 * 3.2.2.3.2): CONFIG_ADDRESS at 0xcf8 selects bus, device, function and
 * dword, CONFIG_DATA at 0xcfc moves it.
 */
#include <guests/lib/guest.h>

#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA	   0xcfc
#define PCI_ADDR_ENABLE	   0x80000000u

uint32_t pci_conf_read(uint16_t bdf, unsigned reg)
{
	outl(PCI_CONFIG_ADDRESS,
	     PCI_ADDR_ENABLE | (uint32_t)bdf << 8 | (reg & 0xfc));
	return inl(PCI_CONFIG_DATA);
}

void pci_conf_write(uint16_t bdf, unsigned reg, uint32_t val)
{
	outl(PCI_CONFIG_ADDRESS,
	     PCI_ADDR_ENABLE | (uint32_t)bdf << 8 | (reg & 0xfc));
	outl(PCI_CONFIG_DATA, val);
}
